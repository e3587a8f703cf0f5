// The API coverage inventory: for every resource, which operations it offers and whether each
// reached every surface derived from it (OpenAPI, both SDKs, MCP tools, the tenancy and role
// test matrices). Everything is read from the running code's own tables, never listed here;
// a gap is a surface an operation should have and lacks, with no reason declared for it.
import { ALL_OPERATIONS } from '../platform/resource/define-resource.ts';
import type { Operation } from '../platform/api/operation.ts';
import { inRoleMatrix, inTenancyMatrix } from '../platform/api/test-matrices.ts';
import { SDK_NAME } from '../platform/openapi/sdk-name.ts';
import type { Registry, ResourceDefinition, OperationName } from '../platform/contract.ts';

export const SURFACES = ['openapi', 'typescript', 'python', 'mcp', 'tenancy', 'roles'] as const;
export type Surface = (typeof SURFACES)[number];
export const SURFACE_TITLES: Record<Surface, string> = {
  openapi: 'OpenAPI',
  typescript: 'TS SDK',
  python: 'Python SDK',
  mcp: 'MCP tools',
  tenancy: 'tenancy-tested',
  roles: 'role-tested',
};

export interface SurfaceCoverage {
  /** Operations that have it, of those that should. */
  covered: number;
  expected: number;
  /** Operations without it, and why, when the platform says they need not have it. */
  missing: { operation: string; reason?: string }[];
}

export interface ResourceCoverage {
  collection: string;
  operations: Record<OperationName, boolean>;
  actions: string[];
  endpoints: string[];
  events: string[];
  surfaces: Record<Surface, SurfaceCoverage>;
  /** Why the resource offers fewer than all operations, as it declares. */
  limitedBecause?: string;
  gaps: string[];
}

export interface CoverageInputs {
  registry: Registry;
  operations: readonly Operation[];
  openapi: { paths: Record<string, Record<string, any>> };
  /** The operations each committed SDK offers (`POST /v1/jobs/{id}/complete`). */
  sdks: Record<'typescript' | 'python', ReadonlySet<string>>;
}

const label = (operation: Operation) => `${operation.method.toUpperCase()} ${operation.path}`;

export function resourceCoverage(resource: ResourceDefinition, inputs: CoverageInputs): ResourceCoverage {
  const operations = inputs.operations.filter((operation) => operation.collection === resource.collection);
  const documented = (operation: Operation) => inputs.openapi.paths[operation.path]?.[operation.method];
  const sdkName = (operation: Operation): string | undefined => documented(operation)?.[SDK_NAME];

  const surface = (
    has: (operation: Operation) => boolean,
    excuse: (operation: Operation) => string | undefined = () => undefined,
  ): SurfaceCoverage => {
    const missing = operations
      .filter((operation) => !has(operation))
      .map((operation) => ({ operation: label(operation), reason: excuse(operation) }));
    const excused = missing.filter((entry) => entry.reason).length;
    return { covered: operations.length - missing.length, expected: operations.length - excused, missing };
  };
  const surfaces: Record<Surface, SurfaceCoverage> = {
    openapi: surface((operation) => Boolean(sdkName(operation))),
    typescript: surface((operation) => inputs.sdks.typescript.has(label(operation))),
    python: surface((operation) => inputs.sdks.python.has(label(operation))),
    mcp: surface(
      (operation) => typeof operation.tool === 'string',
      (operation) => (typeof operation.tool === 'string' ? undefined : operation.tool.excluded),
    ),
    tenancy: surface(
      inTenancyMatrix,
      () => "names no object in its path: its own tests prove it stays in the caller's account",
    ),
    roles: surface(inRoleMatrix, () => 'needs no scope, or is a stream that never ends'),
  };

  const offered = Object.fromEntries(ALL_OPERATIONS.map((name) => [name, resource.operations.has(name)])) as Record<
    OperationName,
    boolean
  >;
  const gaps: string[] = [];
  if (ALL_OPERATIONS.some((name) => !offered[name]) && !resource.limitedBecause) {
    gaps.push(
      `offers no ${ALL_OPERATIONS.filter((name) => !offered[name]).join(', ')}, and does not say why (limitedBecause)`,
    );
  }
  for (const name of SURFACES) {
    for (const entry of surfaces[name].missing)
      if (!entry.reason) gaps.push(`${entry.operation} is missing from ${SURFACE_TITLES[name]}`);
  }
  return {
    collection: resource.collection,
    operations: offered,
    actions: Object.entries(resource.actions)
      .filter(([, action]) => !action.internal)
      .map(([name]) => name),
    endpoints: operations.filter((operation) => operation.kind === 'custom').map((operation) => operation.operationId),
    events: inputs.registry
      .eventTypes()
      .filter((event) => event.collection === resource.collection)
      .map((event) => event.type),
    surfaces,
    ...(resource.limitedBecause ? { limitedBecause: resource.limitedBecause } : {}),
    gaps,
  };
}

export function coverageInventory(inputs: CoverageInputs): ResourceCoverage[] {
  return inputs.registry.resources.map((resource) => resourceCoverage(resource, inputs));
}
