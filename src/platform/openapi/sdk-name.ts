// Where each operation lives in the SDKs, written into the OpenAPI document as
// `x-fieldline-sdk` ("jobs.complete", "customers.list", or "search" at the top level), so
// both generators read one name and never guess. Resource routes are named by what they
// do; an endpoint by its operationId with its namespace's own words taken out
// (`tagContact` in `contacts` -> `contacts.tag`, `getRateLimit` -> `rateLimit.get`).
import type { RouteSpec } from '../routes/route-spec.ts';
import type { EndpointSpec } from '../routes/endpoint-spec.ts';
import { camelCase, pascalCase } from '../naming.ts';

export const SDK_NAME = 'x-fieldline-sdk';

export function routeSdkName(route: RouteSpec): string {
  const owner = route.parent ?? route.resource;
  const namespace = camelCase(owner.collection);
  if (route.parent) return `${namespace}.list${pascalCase(route.path.split('/').at(-1)!)}`;
  if (route.kind === 'action') {
    // An action that names its own operation (`recordInvoicePayment` for `payments`) says more than its path segment.
    if (route.resource.actions[route.actionName!].operationId)
      return endpointSdkName(
        { collection: owner.collection, path: route.path, operationId: route.operationId },
        owner.name,
      );
    return `${namespace}.${camelCase(route.actionName!)}`;
  }
  return `${namespace}.${route.kind}`;
}

/** `createOAuthClient` -> create, O, Auth, Client: acronyms stay runs of capitals. */
const camelWords = (name: string) => name.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+/g) ?? [];

export function endpointSdkName(
  endpoint: Pick<EndpointSpec, 'collection' | 'path' | 'operationId'>,
  singular?: string,
): string {
  const segment = endpoint.collection ?? endpoint.path.split('/')[2];
  const namespace = camelCase(segment);
  const forms = [segment, singular ?? segment]
    .flatMap((form) => [form, `of-${form}`])
    .map((form) => form.replace(/[-_]/g, '').toLowerCase());
  const words = camelWords(endpoint.operationId);
  const kept: string[] = [];
  for (let start = 0; start < words.length;) {
    let end = words.length;
    while (end > start && !forms.includes(words.slice(start, end).join('').toLowerCase())) end--;
    if (end > start) start = end;
    else kept.push(words[start++]);
  }
  if (!kept.length) return endpoint.operationId;
  const method = kept.map((word, i) => (i === 0 ? word.toLowerCase() : word[0].toUpperCase() + word.slice(1))).join('');
  return `${namespace}.${method}`;
}
