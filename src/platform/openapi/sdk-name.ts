// Where each operation lives in the SDKs, written into the OpenAPI document as
// `x-fieldline-sdk` ("jobs.complete", "customers.list", or "search" at the top level), so
// both generators read one name and never guess. Generated operations are named by what they
// do (resource-operations.ts); any other by its operationId with its namespace's own words
// taken out (`tagContact` in `contacts` -> `contacts.tag`, `getRateLimit` -> `rateLimit.get`).
import { camelCase } from '../naming.ts';

export const SDK_NAME = 'x-fieldline-sdk';

/** `createOAuthClient` -> create, O, Auth, Client: acronyms stay runs of capitals. */
const camelWords = (name: string) => name.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+/g) ?? [];

export function customSdkName(
  operation: { collection?: string; path: string; operationId: string },
  singular?: string,
): string {
  const segment = operation.collection ?? operation.path.split('/')[2];
  const namespace = camelCase(segment);
  const forms = [segment, singular ?? segment]
    .flatMap((form) => [form, `of-${form}`])
    .map((form) => form.replace(/[-_]/g, '').toLowerCase());
  const words = camelWords(operation.operationId);
  const kept: string[] = [];
  for (let start = 0; start < words.length;) {
    let end = words.length;
    while (end > start && !forms.includes(words.slice(start, end).join('').toLowerCase())) end--;
    if (end > start) start = end;
    else kept.push(words[start++]);
  }
  if (!kept.length) return operation.operationId;
  const method = kept.map((word, i) => (i === 0 ? word.toLowerCase() : word[0].toUpperCase() + word.slice(1))).join('');
  return `${namespace}.${method}`;
}
