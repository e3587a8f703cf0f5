// Exporting and closing an account are an owner's decisions: a member signed in (or an app acting
// for one) with the owner role. Admins hold every scope but these, and API keys hold no role, so
// neither can take the whole account's data away or end it.
import { ApiError } from '../platform/errors.ts';
import type { Principal } from '../platform/operations/principal.ts';

export function requireOwner(principal: Principal): void {
  if (principal.role !== 'owner')
    throw new ApiError('forbidden', 'Only an owner of the account may do this, signed in as a member');
}
