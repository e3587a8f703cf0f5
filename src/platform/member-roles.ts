// Member roles as the engine knows them: names only, which the auth module supplies (module
// augmentation of MemberRoles in src/auth/roles.ts), and the access a declaration grants each.
/** The member roles of an account: the auth module names them (module augmentation). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface MemberRoles {}
/**
 * What a member with a role may do with a resource: `read`, `write` (which reads too), `own`
 * (write only their own work: rows assigned to them, see `assignment`) or `none`.
 */
export type Access = 'none' | 'read' | 'write' | 'own';
/**
 * Access by role, as a declaration states it; owners and admins
 * always write. A role left out keeps its module's default.
 */
export type RolePolicy = Partial<Record<keyof MemberRoles & string, Access>>;
