// Write-only fields (`field.secret()`) reach the database sealed: the row an operation holds
// keeps the plain value for its hooks, the statement carries the ciphertext.
import type { Row } from '../../db/database.ts';
import type { SecretBox } from '../secret-box.ts';
import type { ResourceDefinition } from '../contract.ts';

export function sealWriteOnlyFields(resource: ResourceDefinition, values: Row, secrets: SecretBox): Row {
  let sealed: Row | undefined;
  for (const [name, value] of Object.entries(values)) {
    if (!resource.fields[name]?.writeOnly || value === null || value === undefined) continue;
    sealed ??= { ...values };
    sealed[name] = secrets.encrypt(String(value));
  }
  return sealed ?? values;
}

/** The plain value of a write-only column as stored (null when unset). */
export function openWriteOnlyField(stored: unknown, secrets: SecretBox): string | null {
  return typeof stored === 'string' ? secrets.decrypt(stored) : null;
}
