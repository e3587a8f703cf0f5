// Which operations each SDK offers, read from its generated code (not from the OpenAPI
// document it was made from), as `GET /v1/customers` keys. Both readers take the text, so a
// test can read an SDK regenerated for another registry the same way.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const TYPESCRIPT_OPERATIONS_FILE = 'sdk/typescript/src/generated/operations.ts';
export const PYTHON_OPERATIONS_FILE = 'sdk/python/fieldline/_generated.py';

const committed = (path: string) => readFileSync(fileURLToPath(new URL(`../../${path}`, import.meta.url)), 'utf8');

/** sdk/typescript: the entries of its generated operation table. */
export function typescriptSdkOperations(source = committed(TYPESCRIPT_OPERATIONS_FILE)): Set<string> {
  return new Set(
    [...source.matchAll(/"method":"([A-Z]+)","path":"([^"]+)"/g)].map(([, method, path]) => `${method} ${path}`),
  );
}

/** sdk/python: every `_operation("GET", '/v1/...')` call of its generated resource classes. */
export function pythonSdkOperations(source = committed(PYTHON_OPERATIONS_FILE)): Set<string> {
  return new Set(
    [...source.matchAll(/_operation\("([A-Z]+)", '([^']+)'/g)].map(([, method, path]) => `${method} ${path}`),
  );
}
