// The account's members, one page at a time: who they are, their role (changeable), where they
// stand (active, invited, deactivated) and what can be done: invite, deactivate, remove.
import { useState } from 'react';
import { fieldline } from '../api.ts';
import type { CursorList } from '../use-query.ts';
import { useAction } from '../use-action.ts';
import { ConfirmButton } from './confirm-button.tsx';
import { formatDate } from './format.ts';
import { Pager } from './pager.tsx';
import { ProblemNotice } from './problem-notice.tsx';
import { roleLabel } from './members-roles.tsx';
import { memberState, type Member } from './members-status.ts';

interface MembersTableProps {
  list: CursorList<Member>;
  roles: string[];
  /** The signed-in person's user id in this account. */
  selfId: string | undefined;
  mayManage: boolean;
  isOwner: boolean;
  lifetimeHours: number | undefined;
}

export function MembersTable({ list, roles, selfId, mayManage, isOwner, lifetimeHours }: MembersTableProps) {
  const [problem, setProblem] = useState<unknown>(null);
  return (
    <>
      <ProblemNotice error={list.error} />
      <ProblemNotice error={problem} />
      <div className="table-wrap members-table" aria-busy={list.loading}>
        <table>
          <thead>
            <tr>
              <th scope="col">Member</th>
              <th scope="col" id="members-role-column">
                Role
              </th>
              <th scope="col">Status</th>
              {mayManage ? (
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody>
            {list.items.map((member) => (
              <MemberRow
                key={`${member.id}:${member.updated_at}`}
                member={member}
                roles={roles}
                isSelf={member.id === selfId}
                mayManage={mayManage}
                isOwner={isOwner}
                lifetimeHours={lifetimeHours}
                onChanged={list.reload}
                onProblem={setProblem}
              />
            ))}
            {!list.items.length ? (
              <tr>
                <td colSpan={mayManage ? 4 : 3} className="empty">
                  {list.loading ? 'Loading members…' : 'No members yet: add one above and send them an invitation.'}
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <Pager list={list} label="Member pages" />
    </>
  );
}

interface MemberRowProps {
  member: Member;
  roles: string[];
  isSelf: boolean;
  mayManage: boolean;
  isOwner: boolean;
  lifetimeHours: number | undefined;
  onChanged(): void;
  onProblem(error: unknown): void;
}

function MemberRow({ member, roles, isSelf, mayManage, isOwner, lifetimeHours, onChanged, onProblem }: MemberRowProps) {
  const [role, setRole] = useState(member.role);
  const state = memberState(member, lifetimeHours);
  // Owners are changed by owners only (the API refuses anyone else).
  const editable = mayManage && (isOwner || member.role !== 'owner');
  const act = useAction(async (change: () => Promise<unknown>) => {
    onProblem(null);
    try {
      await change();
    } catch (error) {
      onProblem(error);
      throw error;
    }
    onChanged();
  });
  const nameId = `member-${member.id}-name`;
  const saveRole = () => act.run(() => fieldline.users.update(member.id, { role }));
  const setStatus = (status: Member['status']) => fieldline.users.update(member.id, { status }).then(onChanged);

  return (
    <tr>
      <td>
        <strong id={nameId}>{member.name}</strong>
        {isSelf ? (
          <>
            {' '}
            <span className="badge badge-good">you</span>
          </>
        ) : null}
        <div className="muted">{member.email}</div>
      </td>
      <td>
        {editable && !isSelf ? (
          <div className="members-role">
            <select
              aria-labelledby={`members-role-column ${nameId}`}
              value={role}
              onChange={(event) => setRole(event.target.value as Member['role'])}
            >
              {roles.map((option) => (
                <option key={option} value={option} disabled={option === 'owner' && !isOwner}>
                  {roleLabel(option)}
                </option>
              ))}
            </select>
            {role !== member.role ? (
              <button
                type="button"
                className="button-primary"
                onClick={saveRole}
                disabled={act.busy}
                aria-label={`Save role for ${member.name}`}
              >
                {act.busy ? 'Saving…' : 'Save'}
              </button>
            ) : null}
          </div>
        ) : (
          <span className="badge">{roleLabel(member.role)}</span>
        )}
      </td>
      <td>
        <span className={state.className}>{state.label}</span>
        <div className="muted">
          {member.invited_at ? `Last invited ${formatDate(member.invited_at)}` : 'Never invited'}
        </div>
      </td>
      {mayManage ? (
        <td>
          {editable && !isSelf ? (
            <div className="actions">
              {state.invitable ? (
                <button
                  type="button"
                  onClick={() => act.run(() => fieldline.users.invite(member.id))}
                  disabled={act.busy}
                  aria-label={`${member.invited_at ? 'Resend' : 'Send'} invitation to ${member.name}`}
                >
                  {member.invited_at ? 'Resend invitation' : 'Send invitation'}
                </button>
              ) : null}
              {member.status === 'active' ? (
                <ConfirmButton
                  title={`Deactivate ${member.name}?`}
                  confirmLabel="Deactivate"
                  description={
                    'They can no longer act in this account; their sessions and the apps they connected stop at ' +
                    'once. You can reactivate them later.'
                  }
                  onConfirm={() => setStatus('inactive')}
                >
                  Deactivate<span className="sr-only"> {member.name}</span>
                </ConfirmButton>
              ) : (
                <button
                  type="button"
                  onClick={() => act.run(() => fieldline.users.update(member.id, { status: 'active' }))}
                  disabled={act.busy}
                >
                  Reactivate<span className="sr-only"> {member.name}</span>
                </button>
              )}
              <ConfirmButton
                title={`Remove ${member.name}?`}
                confirmLabel="Remove member"
                description={
                  'They leave the account for good: their sessions and connected apps stop at once, ' +
                  'and a pending invitation no longer works.'
                }
                onConfirm={() => fieldline.users.delete(member.id).then(onChanged)}
              >
                Remove<span className="sr-only"> {member.name}</span>
              </ConfirmButton>
            </div>
          ) : null}
        </td>
      ) : null}
    </tr>
  );
}
