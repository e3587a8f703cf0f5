// Adding a member (POST /v1/users), then mailing them an invitation (POST /v1/users/{id}/invite):
// they sign in as this member once they accept it.
import { useState, type FormEvent } from 'react';
import { fieldline } from '../api.ts';
import { useAction } from '../use-action.ts';
import { SelectField, TextField } from './form-fields.tsx';
import { ProblemNotice } from './problem-notice.tsx';
import { roleLabel } from './members-roles.tsx';
import type { Member } from './members-status.ts';

interface AddMemberFormProps {
  roles: string[];
  /** The signed-in person may grant the owner role. */
  mayGrantOwner: boolean;
  lifetimeHours: number | undefined;
  onChanged(): void;
}

export function AddMemberForm({ roles, mayGrantOwner, lifetimeHours, onChanged }: AddMemberFormProps) {
  const defaultRole = roles.includes('technician') ? 'technician' : (roles[0] ?? '');
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<string | null>(null);
  const [added, setAdded] = useState<Member | null>(null);
  const [invited, setInvited] = useState(false);
  const create = useAction((body: { name: string; email: string; role: Member['role'] }) =>
    fieldline.users.create(body),
  );
  const invite = useAction((id: string) => fieldline.users.invite(id));

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const member = await create.run({ name, email, role: (role ?? defaultRole) as Member['role'] });
    if (!member) return;
    setName('');
    setEmail('');
    setRole(null);
    setAdded(member);
    setInvited(false);
    invite.clearError();
    onChanged();
  };
  const sendInvitation = async () => {
    if (!added) return;
    if (await invite.run(added.id)) {
      setInvited(true);
      onChanged();
    }
  };

  return (
    <section className="card" aria-labelledby="add-member-heading">
      <h2 id="add-member-heading">Add a member</h2>
      <form onSubmit={submit}>
        <div className="grid-3">
          <TextField
            label="Name"
            name="name"
            required
            maxLength={200}
            autoComplete="off"
            value={name}
            onChange={(event) => setName(event.target.value)}
          />
          <TextField
            label="Email"
            name="email"
            type="email"
            required
            autoComplete="off"
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
          <SelectField
            label="Role"
            name="role"
            value={role ?? defaultRole}
            onChange={(event) => setRole(event.target.value)}
            required
          >
            {roles.map((role) => (
              <option key={role} value={role} disabled={role === 'owner' && !mayGrantOwner}>
                {roleLabel(role)}
              </option>
            ))}
          </SelectField>
        </div>
        <ProblemNotice error={create.error} title="The member was not added" />
        <button type="submit" className="button-primary" disabled={create.busy || roles.length === 0}>
          {create.busy ? 'Adding…' : 'Add member'}
        </button>
      </form>
      {added ? (
        <div className="notice notice-info members-added" role="status">
          {invited ? (
            <p>
              Invitation mailed to <strong>{added.email}</strong>
              {lifetimeHours ? `, valid ${lifetimeHours} hours` : ''}. They accept it signed in to Fieldline, and then
              act in this account as {roleLabel(added.role)}.
            </p>
          ) : (
            <>
              <p>
                Added <strong>{added.name}</strong> as {roleLabel(added.role)}. They can sign in once they accept an
                invitation.
              </p>
              <ProblemNotice error={invite.error} title="The invitation was not sent" />
            </>
          )}
          <div className="actions">
            {invited ? null : (
              <button type="button" className="button-primary" onClick={sendInvitation} disabled={invite.busy}>
                {invite.busy ? 'Sending…' : 'Send invitation'}
              </button>
            )}
            <button type="button" onClick={() => setAdded(null)}>
              Done
            </button>
          </div>
        </div>
      ) : null}
    </section>
  );
}
