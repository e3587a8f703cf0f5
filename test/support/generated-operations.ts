// The operations the platform generates from declarations (list, get, create, ..., actions),
// with the declarations they come from: what the registry-generated suites iterate over.
import type { Api } from '../../src/platform/api/build-api.ts';
import type { Operation } from '../../src/platform/api/operation.ts';
import type { ResourceDefinition } from '../../src/platform/contract.ts';

export interface GeneratedOperation extends Operation {
  /** The resource it serves. */
  resource: ResourceDefinition;
  /** A nested list's parent (`{id}` is an id of it). */
  parent?: ResourceDefinition;
}

export function generatedOperations(api: Api): GeneratedOperation[] {
  return api.operations
    .filter((operation) => operation.kind !== 'custom')
    .map((operation) => ({
      ...operation,
      resource: api.registry.get(operation.collection!),
      parent: operation.listedUnder ? api.registry.get(operation.listedUnder) : undefined,
    }));
}
