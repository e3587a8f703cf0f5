// Where a member stands, from the user object: signs in (active), invited and waiting, not
// invited yet, invitation expired, or deactivated.
import type { Schema } from '../api.ts';

export type Member = Schema<'User'>;

export interface MemberState {
  label: string;
  className: string;
  /** May be (re)sent an invitation. */
  invitable: boolean;
}

export function memberState(member: Member, lifetimeHours: number | undefined, now = Date.now()): MemberState {
  if (member.status !== 'active') return { label: 'Deactivated', className: 'badge badge-bad', invitable: false };
  if (member.person_id) return { label: 'Active', className: 'badge badge-good', invitable: false };
  if (!member.invited_at) return { label: 'Not invited yet', className: 'badge', invitable: true };
  const expired = lifetimeHours !== undefined && Date.parse(member.invited_at) + lifetimeHours * 3_600_000 <= now;
  return expired
    ? { label: 'Invitation expired', className: 'badge badge-bad', invitable: true }
    : { label: 'Invited', className: 'badge badge-warn', invitable: true };
}
