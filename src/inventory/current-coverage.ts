// The coverage inventory of an API: its operation table, its OpenAPI document, and the SDKs'
// operations (by default the SDKs committed beside this build).
import type { Api } from '../platform/api/build-api.ts';
import { fieldlineApi } from '../main.ts';
import { coverageInventory, type ResourceCoverage } from './coverage.ts';
import { pythonSdkOperations, typescriptSdkOperations } from './sdk-surfaces.ts';

export function coverageOf(api: Api, sdks: Record<'typescript' | 'python', ReadonlySet<string>>): ResourceCoverage[] {
  return coverageInventory({ registry: api.registry, operations: api.operations, openapi: api.document(), sdks });
}

/** This build's inventory, against the committed SDKs. */
export function currentCoverage(): ResourceCoverage[] {
  return coverageOf(fieldlineApi(), { typescript: typescriptSdkOperations(), python: pythonSdkOperations() });
}
