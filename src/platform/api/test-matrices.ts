// Which operations the generated test matrices prove, stated once so the coverage inventory
// (`fieldline inventory`) reports what the tests really run.
import type { Operation } from './operation.ts';

/**
 * test/tenancy.test.ts: another account's object is unreachable. Every generated operation is
 * in it; a declared one is when its path names an object of its collection by `{id}`. One that
 * takes ids only in its body (dispatch, GPS) is proven by its own tests.
 */
export function inTenancyMatrix(operation: Operation): boolean {
  if (operation.kind !== 'custom') return true;
  return operation.collection !== undefined && operation.params?.id?.pattern !== undefined;
}

/**
 * test/roles.test.ts: each role reaches exactly the operations its scopes allow. Every scoped
 * operation a credential calls is in it, but the event stream, which never ends.
 */
export function inRoleMatrix(operation: Operation): boolean {
  if (operation.kind !== 'custom') return true;
  const streams = operation.response.content?.['text/event-stream'] !== undefined;
  return operation.scope !== null && operation.authentication === 'credential' && !streams;
}

/**
 * test/customer-tenancy.test.ts: an end customer reaches only their own objects. Every customer
 * operation that names an object by `{id}` is in it (another customer's, or another account's, is a 404).
 */
export const inCustomerTenancyMatrix = (operation: Operation): boolean =>
  operation.authentication === 'customer' && operation.path.includes('{id}');
