// `expand=customer`: embeds referenced objects, fetched for a whole page in one round trip
// and through the tenant transaction, so another account's object can never be embedded.
import type { Row } from '../../db/database.ts';
import { tenantBatch } from '../../db/tenant-transaction.ts';
import { selectRowsByIds } from './row-statements.ts';
import { serialize } from './serialize.ts';
import type { Principal } from './principal.ts';
import type { ResourceDefinition, Runtime } from '../contract.ts';

export async function expandRelations(
  runtime: Runtime,
  resource: ResourceDefinition,
  principal: Principal,
  rows: Row[],
  objects: Record<string, unknown>[],
  expand: string[],
): Promise<void> {
  if (expand.length === 0 || rows.length === 0) return;
  const plans = expand.map((name) => {
    const [fieldName, spec] = Object.entries(resource.fields).find(([, f]) => f.ref?.expandAs === name)!;
    const target = runtime.registry.get(spec.ref!.collection);
    const ids = [...new Set(rows.map((row) => row[fieldName]).filter((id): id is string => typeof id === 'string'))];
    return { name, fieldName, target, ids };
  });
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
