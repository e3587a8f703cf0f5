// The modules -> the API: the registry of their resources, the operation table (generated for
// each resource, declared by resources and modules) and the schema to migrate to. Pure: no
// database, no server, so the CLI, the generators and tests build the same API the server runs.
import type { Schema } from '../../db/migrate.ts';
import { resourceSchemaStatements } from '../ddl/resource-ddl.ts';
import { buildOpenApiDocument, type OpenApiDocument } from '../openapi/build-openapi.ts';
import type { FeatureModule } from './module.ts';
import { PLATFORM_SCOPE_PREFIX, type Operation } from './operation.ts';
import { resourceEndpoints } from './resource-endpoints.ts';
import { resourceOperations } from './resource-operations.ts';
import type { Registry, ResourceDefinition } from '../contract.ts';
import { ResourceRegistry } from '../registry.ts';

export interface Api {
  readonly modules: readonly FeatureModule[];
  readonly registry: Registry;
  /** Every operation, generated ones first, then resources' and modules' own, in module order. */
  readonly operations: readonly Operation[];
  readonly schema: Schema;
  /** The OpenAPI 3.1 document (built on first use: about 100 ms). */
  document(): OpenApiDocument;
}

/** Every module's resources, each with its module's role policy beneath its own, then the extensions. */
function resourcesOf(modules: readonly FeatureModule[]): ResourceDefinition[] {
  const resources = modules.flatMap((module) =>
    (module.resources ?? []).map((resource) => ({ ...resource, roles: { ...module.roles, ...resource.roles } })),
  );
  for (const module of modules) {
    for (const [collection, extend] of Object.entries(module.extend ?? {})) {
      const index = resources.findIndex((resource) => resource.collection === collection);
      if (index === -1) throw new Error(`module '${module.name}' extends unknown collection '${collection}'`);
      resources[index] = extend(resources[index]);
    }
  }
  return resources;
}

/** Two operations may not share an id, a route, an SDK name or a tool name; every scope is in the catalogue. */
function checkTable(operations: readonly Operation[], registry: Registry): void {
  const scopes = new Set(registry.scopes());
  const seen = new Map<string, string>();
  const claim = (what: string, operation: Operation) => {
    const taken = seen.get(what);
    if (taken) throw new Error(`${operation.operationId} and ${taken} are both ${what}`);
    seen.set(what, operation.operationId);
  };
  for (const operation of operations) {
    claim(`operation '${operation.operationId}'`, operation);
    for (const path of [operation.path, ...(operation.aliases ?? [])]) {
      claim(`${operation.method.toUpperCase()} ${path}`, operation);
    }
    if (typeof operation.sdk === 'string') claim(`'${operation.sdk}' in the SDKs`, operation);
    if (typeof operation.tool === 'string') {
      if (!/^[a-z0-9_]{1,64}$/.test(operation.tool))
        throw new Error(`MCP: '${operation.tool}' is not a usable tool name`);
      claim(`the MCP tool '${operation.tool}'`, operation);
    }
    if (operation.authentication === 'operator') {
      if (operation.scope && !operation.scope.startsWith(PLATFORM_SCOPE_PREFIX))
        throw new Error(`${operation.operationId}: an operator operation's scope is a '${PLATFORM_SCOPE_PREFIX}' one`);
    } else if (operation.scope && !scopes.has(operation.scope)) {
      throw new Error(`${operation.operationId}: scope '${operation.scope}' is not in the registry's catalogue`);
    }
  }
  // Keys, roles and OAuth clients take their scopes from the catalogue: none may be an operator's.
  for (const scope of scopes) {
    if (scope.startsWith(PLATFORM_SCOPE_PREFIX))
      throw new Error(`scope '${scope}' is an operator's: it cannot be in the registry's catalogue`);
  }
}

export function buildApi(modules: readonly FeatureModule[]): Api {
  const registry = new ResourceRegistry(resourcesOf(modules), {
    events: modules.flatMap((module) => module.events ?? []),
    scopes: modules.flatMap((module) => module.scopes ?? []),
    reactions: modules.flatMap((module) => module.reactions ?? []),
    gates: modules.flatMap((module) => module.gates ?? []),
  });
  const operations = [
    ...resourceOperations(registry),
    ...resourceEndpoints(registry),
    ...modules.flatMap((module) => module.operations?.(registry) ?? []),
  ];
  checkTable(operations, registry);
  for (const module of modules) module.check?.(registry);
  const migrations = modules
    .flatMap((module) => module.migrations ?? [])
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  let document: OpenApiDocument | undefined;
  return {
    modules,
    registry,
    operations,
    schema: { migrations, resources: resourceSchemaStatements(registry) },
    document: () => (document ??= buildOpenApiDocument({ registry, operations, modules })),
  };
}
