// Get one object: a single round trip; `fields` and `expand` work as on lists.
import { tenantBatch } from '../../db/tenant-transaction.ts';
import { UNSTORABLE_TEXT } from '../storable-text.ts';
import { badRequest, notFound } from '../errors.ts';
import { parseFieldsAndExpand } from '../query/parse-list-query.ts';
import { selectRow } from './row-statements.ts';
import { expandRelations } from './expand.ts';
import { serialize } from './serialize.ts';
import type { Principal } from './principal.ts';
import type { ResourceDefinition, Runtime } from '../contract.ts';

const OBJECT_PARAMETERS = new Set(['fields', 'expand']);

export async function getOperation(
  runtime: Runtime,
  resource: ResourceDefinition,
  principal: Principal,
  id: string,
  params: URLSearchParams,
) {
  for (const [name, value] of params) {
    if (!OBJECT_PARAMETERS.has(name))
      throw badRequest(`${name}: unknown query parameter (use fields or expand)`, [
        { path: name, message: 'Unknown query parameter' },
      ]);
    if (params.getAll(name).length > 1)
      throw badRequest(`${name}: given more than once`, [{ path: name, message: 'given more than once' }]);
    if (UNSTORABLE_TEXT.test(value))
      throw badRequest(`${name}: contains a NUL character or an unpaired surrogate`, [
        { path: name, message: 'Invalid value' },
      ]);
  }
  const { fields, expand } = parseFieldsAndExpand(resource, params);
  if (!resource.acceptsId(id)) throw notFound(resource.name, id);
  const [[row]] = await tenantBatch(runtime.db, principal.accountId, [selectRow(resource, principal.accountId, id)]);
  const readable = resource.readableRows?.(principal, runtime.registry);
  if (!row || (readable && !readable.values.includes(row[readable.field]))) throw notFound(resource.name, id);
  const data = serialize(resource, row, fields);
  await expandRelations(runtime, resource, principal, [row], [data], expand);
  return data;
}
