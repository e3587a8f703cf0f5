// A feature module, in the shape of a Better Auth plugin: one object that brings a capability's
// resources, operations, events, migrations and the services it runs. The composition root
// (src/main.ts) lists the modules once; buildApi reads them with no database, and the runtime
// makes their services, each after those it uses, starts them in that order and stops them in
// reverse (src/platform/api/create-runtime.ts).
import type { EventType } from '../events/event-type.ts';
import type { Migration } from '../../db/migrate.ts';
import type { Operation } from './operation.ts';
import type { ActionGate, EventReaction, Registry, ResourceDefinition, RolePolicy, Runtime } from '../contract.ts';
import type { ServiceKey } from './service-key.ts';

/** What a service may do at start and stop (a worker's loop, a flush of what it holds). */
export interface Lifecycle {
  start?(): void | Promise<void>;
  stop?(): void | Promise<void>;
  /** Ends long-lived responses (event streams) before the HTTP server closes, which would wait for them. */
  endStreams?(): void | Promise<void>;
}

export interface Provider<T = unknown> {
  key: ServiceKey<T>;
  /** Makes the service; it may use other services (they are made first). */
  create(runtime: Runtime): T;
  /** Its start and stop, when the service itself is not a Lifecycle. */
  lifecycle?(service: T): Lifecycle;
}

/** One service of a module: made once per runtime, when it starts. */
export const provide = <T>(
  key: ServiceKey<T>,
  create: (runtime: Runtime) => T,
  lifecycle?: (service: T) => Lifecycle,
): Provider<T> => ({ key, create, lifecycle });

/** Parts of the OpenAPI document a module owns besides its operations. */
export interface DocumentParts {
  /** Tags of its operations that are not a resource's, name -> description. */
  tags?: Record<string, string>;
  securitySchemes?: (registry: Registry) => Record<string, unknown>;
  /** Security requirements a scoped operation also accepts (an OAuth token with the scope). */
  scopeSecurity?: (scope: string) => Record<string, string[]>;
  /** Top-level `x-` members, from the registry (the role catalogue). */
  extensions?: (registry: Registry) => Record<string, unknown>;
}

/** JSON a module publishes at a fixed path, open to anyone (discovery metadata). */
export interface PublicDocument {
  path: string;
  json(runtime: Runtime): unknown;
  /** Any web page may read it (CORS `*`). */
  anyOrigin?: boolean;
}

export interface FeatureModule {
  name: string;
  resources?: readonly ResourceDefinition[];
  /**
   * Which members may read and write its resources, where a resource does not say (default: owners and admins only).
   */
  roles?: RolePolicy;
  /** Additions to resources another module declares (an action, schema), by collection. */
  extend?: Record<string, (resource: ResourceDefinition) => ResourceDefinition>;
  /** Operations beyond those generated for resources, given the registry of every module's resources. */
  operations?: (registry: Registry) => readonly Operation[];
  /** Events it emits that are no resource's create/update/delete or action. */
  events?: readonly EventType[];
  /** What it does, in the same transaction, when events are written (a notification on job.assigned). */
  reactions?: readonly EventReaction[];
  /** What may hold actions of resources before they run (approval policies). */
  gates?: readonly ActionGate[];
  /** Scopes of its operations that belong to no resource (`read:account`). */
  scopes?: readonly string[];
  /** Versioned schema changes for the tables it owns besides resource tables; applied in id order across modules. */
  migrations?: readonly Migration[];
  provides?: readonly Provider<any>[];
  document?: DocumentParts;
  documents?: readonly PublicDocument[];
  /** Judges what only this module can (the role names policies use), once the registry is made; throws on a mistake. */
  check?: (registry: Registry) => void;
}

export const defineModule = (module: FeatureModule): FeatureModule => module;

type Extensions = NonNullable<FeatureModule['extend']>;

/** Several maps of additions to other modules' resources as one: a collection's additions apply in order. */
export function combineExtensions(...maps: Extensions[]): Extensions {
  const combined: Extensions = {};
  for (const map of maps) {
    for (const [collection, extend] of Object.entries(map)) {
      const before = combined[collection];
      combined[collection] = before ? (resource) => extend(before(resource)) : extend;
    }
  }
  return combined;
}
