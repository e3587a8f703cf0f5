// Telling a team member something: the in-app notification, always, and push, email or SMS by
// their preferences, all in the transaction of the change that caused it. A member is not told
// of what they did themselves, nor when they can no longer act in the account.
import type { OperationContext } from '../../platform/contract.ts';
import type { NOTIFICATION_CATEGORIES } from '../../domain/notifications.ts';
import { queueMailDelivery, type About } from '../delivery-log.ts';
import { queuePush } from '../push/push-outbox.ts';
import { e164, queueSms } from '../sms/sms-outbox.ts';
import { channelsFor, type NotificationKind } from './notification-preferences.ts';

export interface MemberNotice {
  userId: string;
  kind: NotificationKind;
  category: (typeof NOTIFICATION_CATEGORIES)[number];
  title: string;
  body: string;
  /** The object it is about; the notification links to it. */
  about: About;
}

/** The account's active members among these ids or with these roles, by id. */
export async function activeMembersNamed(
  ctx: OperationContext,
  userIds: readonly string[],
  roles: readonly string[],
): Promise<string[]> {
  const members = await ctx.tx.query<{ id: string }>({
    sql: `SELECT id FROM ${ctx.registry.get('users').table}
           WHERE account_id = $1 AND status = 'active' AND deleted_at IS NULL
             AND (id = ANY ($2::text[]) OR role = ANY ($3::text[])) ORDER BY id`,
    parameters: [ctx.tx.accountId, userIds, roles],
  });
  return members.map((member) => member.id);
}

export async function notifyMember(ctx: OperationContext, notice: MemberNotice): Promise<void> {
  if (notice.userId === ctx.principal.userId) return;
  const [member] = await ctx.tx.query<{ email: string; phone: string | null }>({
    sql: `SELECT email, phone FROM ${ctx.registry.get('users').table}
           WHERE account_id = $1 AND id = $2 AND status = 'active'`,
    parameters: [ctx.tx.accountId, notice.userId],
  });
  if (!member) return;
  const link = `/v1/${notice.about.collection}/${notice.about.id}`;
  const { title, body, about } = notice;
  await ctx.create('notifications', { user_id: notice.userId, title, body, category: notice.category, link });
  const channels = await channelsFor(ctx.tx, notice.userId, notice.kind);
  // The tag makes a later push about the same object replace this one on the device.
  if (channels.push) await queuePush(ctx, notice.userId, { title, body, url: link, tag: about.id }, about);
  if (channels.email) queueMailDelivery(ctx.tx, { to: [member.email], subject: title, text: body }, ctx.now, about);
  const phone = member.phone && e164(member.phone);
  if (channels.sms && phone) queueSms(ctx, { to: phone, body: `${title}. ${body}`, about, background: true });
}
