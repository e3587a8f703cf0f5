// Members: the account's team (GET /v1/users, paged), adding someone and inviting them, changing
// roles, deactivating and removing; what each role may do.
import { fieldline } from '../api.ts';
import { useCatalogue } from '../catalogue.ts';
import { allows, useSignedIn } from '../session.tsx';
import { useCursorList } from '../use-query.ts';
import { PageHeader } from '../components/page-header.tsx';
import { ProblemNotice } from '../components/problem-notice.tsx';
import { AddMemberForm } from '../components/members-add-form.tsx';
import { MembersTable } from '../components/members-table.tsx';
import { invitationLifetimeHours, memberRoles, roleLabel, RoleGuide } from '../components/members-roles.tsx';
import type { Member } from '../components/members-status.ts';
import './members.css';

export function MembersPage() {
  const { member, scopes } = useSignedIn();
  const catalogue = useCatalogue();
  const roleInfos = memberRoles(catalogue.data);
  const roles = roleInfos.map((info) => info.role);
  const lifetimeHours = invitationLifetimeHours(catalogue.data);
  const list = useCursorList<Member>((cursor) => fieldline.users.list({ limit: 25, cursor }), []);
  const myRole = member?.role ?? '';
  const mayManage = allows(scopes, 'write:users');
  const isOwner = myRole === 'owner';
  return (
    <section>
      <PageHeader
        title="Members"
        description={
          "The people of this account: each signs in with their own login and acts with their role's permissions."
        }
      />
      <ProblemNotice error={catalogue.error} />
      <p className="notice notice-info">
        Only an owner, signed in, can grant the owner role or change an owner; an account always keeps at least one
        active owner.
        {mayManage ? null : (
          <>
            {' '}
            Your role, <strong>{roleLabel(myRole)}</strong>, may see the team but not change it: ask an owner or admin.
          </>
        )}
      </p>
      {mayManage ? (
        <AddMemberForm roles={roles} mayGrantOwner={isOwner} lifetimeHours={lifetimeHours} onChanged={list.reload} />
      ) : null}
      <h2>Team</h2>
      <MembersTable
        list={list}
        roles={roles}
        selfId={member?.user_id}
        mayManage={mayManage}
        isOwner={isOwner}
        lifetimeHours={lifetimeHours}
      />
      <RoleGuide roles={roleInfos} />
    </section>
  );
}
