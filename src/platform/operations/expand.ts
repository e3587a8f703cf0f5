// `expand=customer`: embeds referenced objects, fetched for a whole page in one round trip
// and through the tenant transaction, so another account's object can never be embedded.
// An embedded object is read as if asked for directly: it needs its own collection's read scope.
import type { Row } from '../../db/database.ts';
import { tenantBatch } from '../../db/tenant-transaction.ts';
import { selectRowsByIds } from './row-statements.ts';
import { serialize } from './serialize.ts';
import { hasScope, type Principal } from './principal.ts';
import { ApiError } from '../errors.ts';
import type { ResourceDefinition, Runtime } from '../contract.ts';

export async function expandRelations(
  runtime: Runtime,
  resource: ResourceDefinition,
  principal: Principal,
  rows: Row[],
  objects: Record<string, unknown>[],
  expand: string[],
): Promise<void> {
  if (expand.length === 0) return;
  const plans = expand.map((name) => {
    const [fieldName, spec] = Object.entries(resource.fields).find(([, f]) => f.ref?.expandAs === name)!;
    const target = runtime.registry.get(spec.ref!.collection);
    const scope = `read:${target.collection}`;
    if (!hasScope(principal, scope))
      throw new ApiError('insufficient_scope', `expand=${name} embeds ${target.collection}: it needs '${scope}'`, {
        required_scope: scope,
      });
    const ids = [...new Set(rows.map((row) => row[fieldName]).filter((id): id is string => typeof id === 'string'))];
    return { name, fieldName, target, ids };
  });
  if (rows.length === 0) return;
  const wanted = plans.filter((plan) => plan.ids.length > 0);
  const results = await tenantBatch(
    runtime.db,
    principal.accountId,
    wanted.map((plan) => selectRowsByIds(plan.target, principal.accountId, plan.ids)),
  );
  const found = new Map(wanted.map((plan, i) => [plan, new Map(results[i].map((row) => [row.id, row]))]));
  rows.forEach((row, i) => {
    for (const plan of plans) {
      const related = found.get(plan)?.get(row[plan.fieldName]);
      objects[i][plan.name] = related ? serialize(plan.target, related) : null;
    }
  });
}
