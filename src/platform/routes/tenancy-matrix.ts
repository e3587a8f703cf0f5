// Which operations the tenancy matrix (test/tenancy.test.ts) proves, stated once so the
// coverage inventory (`fieldline inventory`) reports what the test really runs. Every
// generated route is in it; a declared endpoint is when its path names an object by `{id}`.
// An endpoint that takes ids only in its body (dispatch, GPS) is proven by its own tests.
import type { RouteSpec } from './route-spec.ts';
import type { EndpointSpec } from './endpoint-spec.ts';

export function inTenancyMatrix(operation: RouteSpec | EndpointSpec): boolean {
  if ('kind' in operation) return true;
  return operation.collection !== undefined && operation.paramPatterns?.id !== undefined;
}
