// A resource declaration: everything specific to one collection, and nothing generic.
// The registry turns these into tables, routes, validation, OpenAPI, events and scopes.
import type { BinaryBody, UploadedFile, UploadSpec } from '../api/operation.ts';
import type { z } from 'zod';
import type { FieldBuilder, FieldSpec } from './fields.ts';
import type { OperationContext } from '../operations/operation-context.ts';
import type { Row } from '../../db/database.ts';
import { isIdOf } from '../ids.ts';

export type OperationName = 'list' | 'get' | 'create' | 'update' | 'delete' | 'bulk' | 'export';
export const ALL_OPERATIONS: readonly OperationName[] = ['list', 'get', 'create', 'update', 'delete', 'bulk', 'export'];

export interface ActionArgs<I> {
  row: Row;
  input: I;
  ctx: OperationContext;
}

/** What an action hands back when it answers with something other than its own row. */
export interface ActionResponse {
  data: Record<string, unknown>;
  /**
   * Work that must not hold the transaction open (an outbound HTTP call): runs once it has
   * committed, and its answer replaces this one.
   */
  afterCommit?: () => Promise<ActionResponse>;
}

export interface ActionSpec<I = any> {
  summary: string;
  description?: string;
  /** Defaults to `{action}{Name}`, e.g. `completeJob`. */
  operationId?: string;
  /** Lifecycle states the action may start from; absent means any state. */
  from?: readonly string[];
  /** Lifecycle state after the action. */
  to?: string;
  /** Past-tense verb of the event the action emits: `job.{event}`. Actions with `run` emit through what they do. */
  event?: string;
  input?: z.ZodType<I>;
  /** Callable from other operations (ctx.runAction) but not exposed over HTTP. */
  internal?: boolean;
  /** Fields the action sets on its row (besides the lifecycle state). */
  apply?: (args: ActionArgs<I>) => Promise<Row | void> | Row | void;
  /** For `run` actions: the collection whose object the action answers with (documentation). */
  respondsWith?: string;
  /** For `run` actions answering with something other than an object of the API: its shape (documentation). */
  answers?: z.ZodType;
  /** The success status (201 when the action creates `respondsWith`, 202 when it only queues work); default 200. */
  status?: 200 | 201 | 202;
  /** For `run` actions answering with their own object: members only this answer adds (a new secret), name -> description. */
  reveals?: Record<string, string>;
  /** A custom body: does its own writes through ctx and answers with another object. */
  run?: (args: ActionArgs<I>) => Promise<ActionResponse>;
}

/**
 * A route of a resource beyond CRUD and per-object actions (`POST /v1/contacts/bulk-tag`,
 * `DELETE /v1/contacts/{id}/tags/{tag_id}`, `GET /v1/notifications/unread-count`). It runs in
 * one tenant transaction with the same context as an action, and is documented, scoped
 * (`read:` for GET, `write:` otherwise), rate limited and logged like every other route.
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

/** Types a resource endpoint's `run` from its `input` schema. */
export const resourceEndpoint = <I = undefined>(spec: ResourceEndpointSpec<I>): ResourceEndpointSpec<I> => spec;

export interface LifecycleSpec {
  field: string;
  /** States in which PATCH is allowed (absent: all). */
  updatableIn?: readonly string[];
  /** States in which DELETE is allowed (absent: all). */
  deletableIn?: readonly string[];
}

export interface ResourceHooks {
  /**
   * Inside the transaction, on create and update (PATCH and bulk), with the full row as it would
   * be written and, on update, the row as it was: cross-field and async checks.
   */
  validate?: (args: { row: Row; previous?: Row; ctx: OperationContext }) => Promise<void>;
  /** Derives server-owned fields from the full row about to be written (create and update). */
  compute?: (row: Row) => Row;
  /** Inside the transaction, before the insert: cross-resource rules. */
  beforeCreate?: (args: { row: Row; ctx: OperationContext }) => Promise<void>;
  /** Inside the transaction, after the insert (and its event). */
  afterCreate?: (args: { row: Row; ctx: OperationContext }) => Promise<void>;
  /** Inside the transaction, after a client's update (PATCH, bulk) that changed something. */
  afterUpdate?: (args: { row: Row; previous: Row; ctx: OperationContext }) => Promise<void>;
  /** Inside the transaction, before the delete: what the row owns goes first (its foreign keys would refuse otherwise). */
  beforeDelete?: (args: { row: Row; ctx: OperationContext }) => Promise<void>;
  /** Inside the transaction, after a delete (and its event): what pointed at the row lets go. */
  afterDelete?: (args: { row: Row; ctx: OperationContext }) => Promise<void>;
}

export interface ResourceInput {
  /** Singular object name: `customer`; also the event prefix. */
  name: string;
  /** Plural kebab-case path segment: `customers`, `purchase-orders`. */
  collection: string;
  idPrefix: string;
  description: string;
  fields: Record<string, FieldBuilder>;
  operations?: readonly OperationName[];
  /** Why `operations` leaves some out, in a sentence: the coverage inventory shows it, and `fieldline inventory --check` fails without it. */
  limitedBecause?: string;
  softDelete?: boolean;
  lifecycle?: LifecycleSpec;
  actions?: Record<string, ActionSpec>;
  /** Routes beyond CRUD and actions. */
  endpoints?: readonly ResourceEndpointSpec[];
  hooks?: ResourceHooks;
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
  listedUnder?: readonly { collection: string; segment: string; field: string }[];
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
  searchTitle?: readonly string[];
  /**
   * Whose work a row is, for members who may change only their own (technicians: roles.ts):
   * `field` holds the user it is assigned to, or `through` names the ref field of the row it
   * belongs to (a job photo's `job_id`).
   */
  assignment?: { field: string } | { through: string };
}

export interface ResourceDefinition extends Omit<ResourceInput, 'fields' | 'operations'> {
  fields: Record<string, FieldSpec>;
  operations: ReadonlySet<OperationName>;
  actions: Record<string, ActionSpec>;
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

/** Names a client can never write, whatever the declaration says. */
export const SERVER_OWNED = new Set(['id', 'object', 'account_id', 'created_at', 'updated_at', 'deleted_at']);

export function defineResource(input: ResourceInput): ResourceDefinition {
  const fields = Object.fromEntries(Object.entries(input.fields).map(([name, builder]) => [name, builder.spec]));
  for (const name of Object.keys(fields)) {
    if (SERVER_OWNED.has(name)) throw new Error(`${input.collection}: '${name}' is a system field`);
    if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`${input.collection}: field '${name}' must be snake_case`);
  }
  for (const [name, spec] of Object.entries(fields)) {
    if (
      spec.writeOnly &&
      (spec.filterOperators.length || spec.sortable || spec.searchable || spec.unique || spec.ref)
    ) {
      throw new Error(
        `${input.collection}.${name}: a write-only field cannot be filtered, sorted, searched, unique or a reference`,
      );
    }
  }
  for (const name of input.searchTitle ?? []) {
    if (!fields[name] || fields[name].writeOnly)
      throw new Error(`${input.collection}: searchTitle names '${name}', which is not a readable field`);
  }
  if (input.searchTitle && !Object.values(fields).some((spec) => spec.searchable))
    throw new Error(`${input.collection}: searchTitle needs a searchable field`);
  const fieldNames = Object.keys(fields).filter((name) => !fields[name].writeOnly);
  const writeOnlyNames = Object.keys(fields).filter((name) => fields[name].writeOnly);
  return {
    ...input,
    fields,
    operations: new Set(input.operations ?? ALL_OPERATIONS),
    actions: input.actions ?? {},
    endpoints: input.endpoints ?? [],
    table: input.collection.replace(/-/g, '_'),
    emitsEvents: input.emitsEvents ?? true,
    outputFields: ['id', 'object', ...fieldNames, 'created_at', 'updated_at'],
    selectColumns: ['id', ...fieldNames, 'created_at', 'updated_at'],
    insertColumns: ['id', ...fieldNames, ...writeOnlyNames, 'created_at', 'updated_at'],
    searchFields: fieldNames.filter((name) => fields[name].searchable),
    acceptsId: input.idPattern ? (id) => input.idPattern!.test(id) : (id) => isIdOf(input.idPrefix, id),
  };
}
