// Which operations each committed SDK offers, read from its generated code (not from the
// OpenAPI document it was made from), as `GET /v1/customers` keys.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const repoFile = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

/** sdk/typescript: the keys of its generated operation table. */
export async function typescriptSdkOperations(): Promise<Set<string>> {
  const { operationTable } = await import('../../sdk/typescript/src/generated/operations.ts');
  return new Set(Object.values(operationTable as Record<string, { method: string; path: string }>).map(({ method, path }) => `${method} ${path}`));
}

/** sdk/python: every `_operation("GET", '/v1/...')` call of its generated resource classes. */
export function pythonSdkOperations(): Set<string> {
  const source = readFileSync(repoFile('sdk/python/fieldline/_generated.py'), 'utf8');
  return new Set([...source.matchAll(/_operation\("([A-Z]+)", '([^']+)'/g)].map(([, method, path]) => `${method} ${path}`));
}
