// Microsoft calendars: the shared calendar sync (src/integrations/calendar/member-calendar-sync.ts)
// over Microsoft Graph (graph-calendar.ts).
//   `microsoft-calendar`: each member connects their own Outlook calendar (calendar permissions
//     only); their booked jobs are events there, their busy times their schedule blocks.
//   the `calendar` sync of the account's Microsoft 365 mailbox (`microsoft`): kept for accounts
//     that connected it before per-member calendars; it is the calendar of the member whose email
//     is the mailbox's address.
import { systemQuery } from '../../db/system-query.ts';
import { defineConnector } from '../connector.ts';
import { memberCalendarSync } from '../calendar/member-calendar-sync.ts';
import { graphCalendar } from './graph-calendar.ts';
import { graphClient } from './graph-client.ts';
import { MICROSOFT_PROVIDER } from './microsoft-mail-sync.ts';
import { graphBase, microsoftOAuthClient } from './microsoft-settings.ts';

export const MICROSOFT_CALENDAR_PROVIDER = 'microsoft-calendar';

/** A member's own calendar: read the profile, write events, read busy times; no mail. */
export const MICROSOFT_CALENDAR_SCOPES = ['offline_access', 'User.Read', 'Calendars.ReadWrite'];

/** The account's mailbox calendar (`microsoft`'s `calendar` sync): the active member with the mailbox's address. */
export const microsoftCalendarSync = memberCalendarSync({
  provider: MICROSOFT_PROVIDER,
  description: "The connected member's booked jobs as Outlook events, and their Outlook busy times as schedule blocks.",
  calendar: (args) => graphCalendar(args.api, graphBase(args.settings)),
  async accountMember(args) {
    const [row] = await systemQuery(args.runtime.db, {
      sql: `SELECT u.id, i.identity FROM integrations i
              LEFT JOIN users u ON u.account_id = i.account_id AND lower(u.email) = lower(i.identity)
                   AND u.status = 'active'
             WHERE i.account_id = $1 AND i.provider = $2 AND i.member_id IS NULL LIMIT 1`,
      parameters: [args.accountId, MICROSOFT_PROVIDER],
    });
    if (row?.id) return { id: row.id };
    return {
      identity: row?.identity ?? MICROSOFT_PROVIDER,
      why: `no active member of the account has the address ${row?.identity}: the calendar is that member's`,
    };
  },
});

export const microsoftCalendarConnector = defineConnector({
  provider: MICROSOFT_CALENDAR_PROVIDER,
  title: 'Microsoft Outlook calendar',
  description:
    "A member's own Outlook (Microsoft 365) calendar: their booked jobs as events (moved with the job, removed " +
    'when it is no longer theirs), their busy times as their schedule blocks.',
  perMember: true,
  oauth: {
    client: microsoftOAuthClient,
    scopes: MICROSOFT_CALENDAR_SCOPES,
    pkce: true,
    authorizeParams: { response_mode: 'query', prompt: 'select_account' },
  },
  async identity(api, settings) {
    const me = await graphClient(api, graphBase(settings)).me();
    return { identity: me.mail || me.userPrincipalName, externalAccountId: me.id };
  },
  syncs: {
    calendar: memberCalendarSync({
      provider: MICROSOFT_CALENDAR_PROVIDER,
      description: "The member's booked jobs as Outlook events, and their Outlook busy times as schedule blocks.",
      calendar: (args) => graphCalendar(args.api, graphBase(args.settings)),
    }),
  },
});
