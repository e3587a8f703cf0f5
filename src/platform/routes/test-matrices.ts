// Which operations the generated test matrices prove, stated once so the coverage inventory
// (`fieldline inventory`) reports what the tests really run.
import type { RouteSpec } from './route-spec.ts';
import type { EndpointSpec } from './endpoint-spec.ts';

/**
 * test/tenancy.test.ts: another account's object is unreachable. Every generated route is in
 * it; a declared endpoint is when its path names an object by `{id}`. An endpoint that takes
 * ids only in its body (dispatch, GPS) is proven by its own tests.
 */
export function inTenancyMatrix(operation: RouteSpec | EndpointSpec): boolean {
  if ('kind' in operation) return true;
  return operation.collection !== undefined && operation.paramPatterns?.id !== undefined;
}

/**
 * test/roles.test.ts: each role reaches exactly the operations its scopes allow. Every scoped
 * operation a credential calls is in it, but the event stream, which never ends.
 */
export function inRoleMatrix(operation: RouteSpec | EndpointSpec): boolean {
  if ('kind' in operation) return true;
  return operation.scope !== null && !operation.authentication && operation.responseMediaType !== 'text/event-stream';
}
