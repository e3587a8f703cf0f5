// Database row -> API object: the declared fields in declaration order, `object` added,
// internal columns (account_id, deleted_at, search_vector) never shown.
import type { Row } from '../../db/database.ts';
import type { ResourceDefinition } from '../contract.ts';

export function serialize(
  resource: ResourceDefinition,
  row: Row,
  fields?: ReadonlySet<string>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of resource.outputFields) {
    if (fields && !fields.has(name)) continue;
    out[name] = name === 'object' ? resource.name : (row[name] ?? null);
  }
  return out;
}
