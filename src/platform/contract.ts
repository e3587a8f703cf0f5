// The contract between the engine and what is declared on it: a resource's declaration (its
// fields, lifecycle, actions, hooks and own operations, typed from its fields), the context that
// code runs in, and the registry and runtime the context reaches. Types only, in one file because
// they refer to each other; define-resource.ts turns a declaration into a definition.
import type { z } from 'zod';
import type { Logger } from 'pino';
import type { Registry as MetricsRegistry } from 'prom-client';
import type { Database, Row } from '../db/database.ts';
import type { TenantTransaction } from '../db/tenant-transaction.ts';
import type { ReadReplica } from '../db/read-replica.ts';
import type { EventType } from './events/event-type.ts';
import type { Principal } from './operations/principal.ts';
import type { PlanFeature } from './api/traffic.ts';
import type { FieldSpec } from './resource/fields.ts';
import type { FieldName, Fields, RowOf, StatesOf } from './resource/row-types.ts';

export type { Fields, RowOf, StatesOf, ValueOf } from './resource/row-types.ts';
import type { Access, RolePolicy } from './member-roles.ts';
export type { Access, MemberRoles, RolePolicy } from './member-roles.ts';
import type { SecretBox } from './secret-box.ts';
import type { ServiceKey } from './api/service-key.ts';
import type { BinaryBody, UploadedFile, UploadSpec } from './api/upload.ts';

// The runtime ------------------------------------------------------------------------------

/**
 * How this process runs. Modules add their own options to this interface (module
 * augmentation), as Better Auth plugins add theirs: `declare module ... { interface RuntimeOptions { ... } }`.
 */
export interface RuntimeOptions {
  /**
   * Where clients reach this server (FIELDLINE_PUBLIC_URL):
   * links in mails, the OAuth issuer, Secure cookies when https.
   */
  publicUrl: string;
  /** Request bodies larger than this are refused (413). */
  maxBodyBytes: number;
  /** Believe X-Forwarded-For / X-Forwarded-Proto (only behind a proxy that sets them). */
  trustProxy: boolean;
  /**
   * false: no rate limits, quotas, request logs or request metrics. Only the benchmark sets it,
   * to measure in one run what traffic control costs; a server always has it on.
   */
  trafficControl: boolean;
  /** DATABASE_REPLICA_URL: a streaming replica for list, export, search and analytics reads. */
  readReplica?: ReadReplica;
}

/** What operations and services run with, passed explicitly; a service is reached by its typed key. */
export interface Runtime {
  readonly db: Database;
  readonly registry: Registry;
  /** Seals write-only fields (`field.secret()`) and other secrets we must read back. */
  readonly secrets: SecretBox;
  readonly logger: Logger;
  /** The Prometheus registry modules add their metrics to (one per runtime: tests never share counters). */
  readonly metrics: MetricsRegistry;
  readonly options: RuntimeOptions;
  /** A service some module provides; throws when none does (a module missing from the composition). */
  use<T>(key: ServiceKey<T>): T;
  /** The same, or undefined when no module provides it (a capability this composition lacks). */
  find<T>(key: ServiceKey<T>): T | undefined;
}

// The registry -----------------------------------------------------------------------------

/** Every resource of the API, checked once, and the catalogues derived from them. */
export interface Registry {
  readonly resources: readonly ResourceDefinition[];
  /** The resource of a collection; throws for an unknown one (a declaration error). */
  get(collection: string): ResourceDefinition;
  /** Every event type the API can emit, with what causes it. */
  eventTypes(): EventType[];
  /** Every scope a credential can hold. */
  scopes(): string[];
  /** What modules do when an event of `type` is written (src/platform/events/event-reaction.ts). */
  reactionsTo(type: string): readonly EventReaction[];
  /** What may hold an action of a collection before it runs (an approval policy). */
  gatesOf(collection: string, action: string): readonly ActionGate[];
}

/** An event as an operation emitted it. */
export interface EmittedEvent {
  type: string;
  object: Record<string, unknown>;
  previousAttributes?: Record<string, unknown>;
}

/**
 * What a module does when events of some types are written: inside the same transaction, once
 * the operation that emitted them is done, so its work commits with the change or not at all.
 */
export interface EventReaction {
  /** Names the reaction in errors. */
  name: string;
  on: readonly string[];
  run(ctx: OperationContext, event: EmittedEvent): Promise<void>;
}

/**
 * What may hold an action back before it runs, inside its transaction: a module's answer
 * (an approval to wait for) replaces the action's, which then does not run. The actions it may
 * hold are named, so their documentation says they may answer 202 with that object.
 */
export interface ActionGate {
  name: string;
  actions: readonly { collection: string; action: string }[];
  /** The component schema of what a held action answers (`Approval`). */
  answersWith: string;
  /** Null: the action runs. An object: the action is held, and this is its 202 answer. */
  hold(
    ctx: OperationContext,
    args: { resource: ResourceDefinition; row: Row; action: string; input: unknown },
  ): Promise<Record<string, unknown> | null>;
}

// The context ------------------------------------------------------------------------------

/** What an operation (and a resource's action or hook) works with inside its transaction. */
export interface OperationContext {
  readonly tx: TenantTransaction;
  readonly principal: Principal;
  readonly registry: Registry;
  readonly runtime: Runtime;
  readonly requestId?: string;
  /** One timestamp for everything the operation writes. */
  readonly now: string;
  /** The approval being carried out, when this context runs an action a gate held (gates let it through). */
  readonly approvalId?: string;
  /** Creates an object in this transaction, validating `body` exactly as the public API would. */
  create(collection: string, body: unknown): Promise<Row>;
  /** Runs an action (internal ones included) on an object in this transaction. */
  runAction(collection: string, id: string, action: string, input?: unknown): Promise<Row>;
  /** A trusted server-side change (read-only fields included), recorded as `{name}.updated`. */
  update(collection: string, id: string, patch: Row): Promise<Row>;
  emit(type: string, object: Record<string, unknown>, previousAttributes?: Record<string, unknown>): void;
  /** Adds a member to this create's response only (a generated secret): never to the event or later reads. */
  reveal(name: string, value: unknown): void;
  /** What `reveal` collected. */
  readonly revealed: Record<string, unknown>;
}

// Rows typed from fields: resource/row-types.ts ----------------------------------------------

// Declarations -----------------------------------------------------------------------------

export type OperationName = 'list' | 'get' | 'create' | 'update' | 'delete' | 'bulk' | 'export';

export interface ActionArgs<I, R = Row> {
  row: R;
  input: I;
  ctx: OperationContext;
}

/** What an action hands back when it answers with something other than its own row. */
export interface ActionResponse {
  data: Record<string, unknown>;
  /** A status other than the action's own (202: held by a gate). */
  status?: 202;
  /**
   * Work that must not hold the transaction open (an outbound HTTP call): runs once it has
   * committed, and its answer replaces this one.
   */
  afterCommit?: () => Promise<ActionResponse>;
}

export interface ActionSpec<I = any, R = Row, S extends string = string> {
  summary: string;
  description?: string;
  /** Defaults to `{action}{Name}`, e.g. `completeJob`. */
  operationId?: string;
  /** Lifecycle states the action may start from; absent means any state. */
  from?: readonly S[];
  /** Lifecycle state after the action. */
  to?: S;
  /** Past-tense verb of the event the action emits: `job.{event}`. Actions with `run` emit through what they do. */
  event?: string;
  input?: z.ZodType<I>;
  /** The plan capability the action is an entry point of (403 `feature_not_in_plan` without it). */
  feature?: PlanFeature;
  /** Callable from other operations (ctx.runAction) but not exposed over HTTP. */
  internal?: boolean;
  /** Fields the action sets on its row (besides the lifecycle state). */
  apply?: (args: ActionArgs<I, R>) => Promise<Partial<R> | void> | Partial<R> | void;
  /** For `run` actions: the collection whose object the action answers with (documentation). */
  respondsWith?: string;
  /** For `run` actions answering with something other than an object of the API: its shape (documentation). */
  answers?: z.ZodType;
  /** The success status (201 when the action creates `respondsWith`, 202 when it only queues work); default 200. */
  status?: 200 | 201 | 202;
  /**
   * For `run` actions answering with their own object: members
   * only this answer adds (a new secret), name -> description.
   */
  reveals?: Record<string, string>;
  /** A custom body: does its own writes through ctx and answers with another object. */
  run?: (args: ActionArgs<I, R>) => Promise<ActionResponse>;
}

/**
 * A route of a resource beyond CRUD and per-object actions (`POST /v1/contacts/bulk-tag`,
 * `DELETE /v1/contacts/{id}/tags/{tag_id}`, `GET /v1/notifications/unread-count`). It runs in
 * one tenant transaction with the same context as an action, and is documented, scoped
 * (`read:` for GET, `write:` otherwise), rate limited and logged like every other operation.
 */
export interface ResourceEndpointSpec<I = any> {
  method: 'get' | 'post' | 'delete';
  /** Appended to `base`. `{id}` is an id of this collection (or of `idOf`); other `{name}`s are strings. */
  path: string;
  /** The collection whose id `{id}` is, when not this one (`POST /v1/jobs/{id}/photos` declared by job photos). */
  idOf?: string;
  /**
   * Where the path starts: `/v1/{collection}` unless given. A route named after a task rather
   * than a collection (`/v1/dispatch/queue`) sets it; it stays scoped by the declaring resource.
   */
  base?: string;
  operationId: string;
  summary: string;
  description?: string;
  /** The query (GET) or body (POST) it accepts. */
  input?: z.ZodType<I>;
  /** The collection whose object it answers with, or the shape of its answer. */
  respondsWith?: string;
  answers?: z.ZodType;
  /** Counts against the `expensive` rate bucket (work proportional to the account's data). */
  expensive?: boolean;
  /** `read` for a POST that changes nothing (a preview): scoped and rate limited as a read. Default: by method. */
  access?: 'read' | 'write';
  /** The body is multipart/form-data carrying this file; `input` describes its text fields. */
  upload?: UploadSpec;
  /** Answers raw bytes of this media type (`run` returns a BinaryBody), e.g. `image/*`. */
  producesMediaType?: string;
  run(args: {
    input: I;
    params: Record<string, string>;
    file?: UploadedFile;
    ctx: OperationContext;
  }): Promise<Record<string, unknown> | BinaryBody>;
}

export interface LifecycleSpec<L extends string = string, S extends string = string> {
  field: L;
  /** States in which PATCH is allowed (absent: all). */
  updatableIn?: readonly S[];
  /** States in which DELETE is allowed (absent: all). */
  deletableIn?: readonly S[];
}

export interface ResourceHooks<R = Row> {
  /**
   * Inside the transaction, on create and update (PATCH and bulk), with the full row as it would
   * be written and, on update, the row as it was: cross-field and async checks.
   */
  validate?: (args: { row: R; previous?: R; ctx: OperationContext }) => Promise<void>;
  /** Derives server-owned fields from the full row about to be written (create and update). */
  compute?: (row: R) => Partial<R>;
  /**
   * Inside the transaction, once the row is valid (create and update): server-owned fields that
   * depend on who writes or on the database, not on the row alone (the scopes a rule acts with).
   */
  stamp?: (args: { row: R; previous?: R; ctx: OperationContext }) => Promise<Partial<R>>;
  /** Inside the transaction, before the insert: cross-resource rules. */
  beforeCreate?: (args: { row: R; ctx: OperationContext }) => Promise<void>;
  /** Inside the transaction, after the insert (and its event). */
  afterCreate?: (args: { row: R; ctx: OperationContext }) => Promise<void>;
  /** Inside the transaction, after a client's update (PATCH, bulk) that changed something. */
  afterUpdate?: (args: { row: R; previous: R; ctx: OperationContext }) => Promise<void>;
  /**
   * Inside the transaction, before the delete: what the row owns goes first (its foreign keys would refuse otherwise).
   */
  beforeDelete?: (args: { row: R; ctx: OperationContext }) => Promise<void>;
  /** Inside the transaction, after a delete (and its event): what pointed at the row lets go. */
  afterDelete?: (args: { row: R; ctx: OperationContext }) => Promise<void>;
}

/** A declaration's actions, by name: their rows typed from its fields, their states from its lifecycle. */
export type ActionsOf<F extends Fields, L> = Record<string, ActionSpec<any, RowOf<F>, StatesOf<F, L>>>;

/**
 * A resource as declared. `F` (its fields) types every row its hooks and actions see; `L` (its
 * lifecycle field) types the states actions move between; `A` names its actions.
 */
export interface ResourceInput<
  F extends Fields = Fields,
  L extends FieldName<F> = FieldName<F>,
  A extends ActionsOf<F, L> = ActionsOf<F, L>,
> {
  /** Singular object name: `customer`; also the event prefix. */
  name: string;
  /** Plural kebab-case path segment: `customers`, `purchase-orders`. */
  collection: string;
  idPrefix: string;
  description: string;
  fields: F;
  operations?: readonly OperationName[];
  /**
   * Why `operations` leaves some out, in a sentence: the coverage inventory
   * shows it, and `fieldline inventory --check` fails without it.
   */
  limitedBecause?: string;
  /** The plan capability creating one is an entry point of (403 `feature_not_in_plan` without it). */
  feature?: PlanFeature;
  softDelete?: boolean;
  lifecycle?: LifecycleSpec<L, StatesOf<F, L>>;
  actions?: A;
  /** Routes beyond CRUD and actions. */
  endpoints?: readonly ResourceEndpointSpec[];
  hooks?: ResourceHooks<RowOf<F>>;
  /** Which members may read and write it, by role (default: its module's policy; owners and admins always write). */
  roles?: RolePolicy;
  /** False for resources whose rows are themselves the record of changes (events). */
  emitsEvents?: boolean;
  /** Ids not minted by us (request ids a caller chose): the shape accepted instead of `{prefix}_{ULID}`. */
  idPattern?: RegExp;
  /**
   * Append-only, high-volume rows (request logs): a table partitioned by day on created_at, so
   * retention drops whole partitions. Such tables have no primary key (ids may repeat).
   */
  partitionByDay?: boolean;
  /**
   * Also listed under another collection's objects: `GET /v1/{collection}/{id}/{segment}` is
   * this resource's list filtered by `field` = that id (`/v1/events/{id}/deliveries`).
   */
  listedUnder?: readonly { collection: string; segment: string; field: FieldName<F> }[];
  /** Creating one starts work that finishes later (a report): the create answers 202, and this says what follows. */
  acceptedOnCreate?: string;
  /** Members only the create response carries (`ctx.reveal`), name -> description, for the docs. */
  revealedOnCreate?: Record<string, string>;
  /**
   * Idempotent statements for what the resource owns besides its table (side tables,
   * triggers), applied after every resource table exists.
   */
  schema?: readonly string[];
  /**
   * Takes part in the account-wide search (`GET /v1/search`); each result is titled by these
   * fields' values joined with spaces (`['first_name', 'last_name']`).
   */
  searchTitle?: readonly FieldName<F>[];
  /**
   * Whose work a row is, for members who may change only their own (`own` access): `field`
   * holds the user it is assigned to, or `through` names the ref field of the row it belongs to
   * (a job photo's `job_id`).
   */
  assignment?: { field: FieldName<F> } | { through: FieldName<F> };
  /**
   * Rows a caller may read beyond the read scope, when they embed other collections' data (an
   * event carries its object): `field` must hold one of `values`; null reads every row.
   */
  readableRows?: (principal: Principal, registry: Registry) => { field: string; values: readonly string[] } | null;
  /**
   * Reads of it are audited (request-log bodies): each get and list leaves a `{name}.read` entry in
   * the audit trail, as every export of any resource leaves `{name}.exported` (src/audit/record-read.ts).
   */
  auditReads?: boolean;
}

/**
 * A resource as the engine reads it: what every surface is derived from. Its type parameters
 * are the declaration's, kept for typed references to its fields, states and actions (tests,
 * tools); the engine reads every resource alike.
 */
export interface ResourceDefinition<F extends Fields = Fields, L = unknown, A = unknown> extends Omit<
  ResourceInput,
  'fields' | 'operations' | 'actions' | 'hooks' | 'roles' | 'lifecycle'
> {
  /** Never set: the declaration's fields, lifecycle field and actions, as types. */
  readonly declared?: { fields: F; lifecycle: L; actions: A };
  fields: Record<string, FieldSpec>;
  operations: ReadonlySet<OperationName>;
  lifecycle?: LifecycleSpec;
  actions: Record<string, ActionSpec>;
  hooks?: ResourceHooks;
  /**
   * Access by role name, its module's defaults filled in (src/platform/api/build-api.ts); a role not named has none.
   */
  roles: Readonly<Record<string, Access>>;
  endpoints: readonly ResourceEndpointSpec[];
  table: string;
  emitsEvents: boolean;
  /** API field names in response order, system fields included. */
  outputFields: readonly string[];
  /** Columns selected for the API representation (write-only fields are never selected). */
  selectColumns: readonly string[];
  /** Every column an insert writes: the selected ones and the write-only ones. */
  insertColumns: readonly string[];
  searchFields: readonly string[];
  /** True when `id` has the shape of this resource's ids (anything else is a 404 without a query). */
  acceptsId(id: string): boolean;
}
