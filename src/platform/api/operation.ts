// An operation of the public API, described once. Everything that serves or describes the API
// reads the operation table buildApi assembles: mounting (src/http), the OpenAPI document, the
// MCP tools, the coverage inventory, the SDKs (through the document) and the CLI.
import type { z } from 'zod';
import type { Principal } from '../operations/principal.ts';
import type { Runtime, RuntimeOptions } from '../contract.ts';
import type { UploadedFile, UploadSpec } from './upload.ts';
import type { PlanFeature, RateBucket } from './traffic.ts';

export type HttpMethod = 'get' | 'post' | 'patch' | 'delete';

/**
 * Who may call:
 * - `credential`: an API key, OAuth token or a member's session acting in an account;
 * - `session`: a signed-in person, whether or not they act in an account;
 * - `customer`: an end customer signed in to the customer portal (their own records only);
 * - `none`: anyone, limited per IP address (sign-in, the OAuth protocol);
 * - `signature`: a provider's signed request (inbound events): the operation verifies it and
 *   reports failures (`call.refuseCredential`), which are limited per IP address;
 * - `operator`: a platform operator's session (`Bearer flop_...`), someone who runs Fieldline and is
 *   in no account (`/v1/platform/*`). To every other caller, credential or none, the route does
 *   not exist: 404. Its `scope`, if any, is a `platform:` scope, which only operators hold.
 */
export type Authentication = 'credential' | 'session' | 'customer' | 'none' | 'signature' | 'operator';

/** The scopes of `operator` operations: no account's key, member, app or customer can hold one. */
export const PLATFORM_SCOPE_PREFIX = 'platform:';

/** A platform operator signed in (authentication `operator`). */
export interface OperatorIdentity {
  operatorId: string;
  email: string;
  name: string;
  sessionId: string;
  /** `platform:*` for every operator today; operations check theirs with hasOperatorScope. */
  scopes: ReadonlySet<string>;
}

/** `platform:accounts` is held by itself or by `platform:*`. */
export const hasOperatorScope = (operator: OperatorIdentity, scope: string): boolean =>
  operator.scopes.has(scope) || operator.scopes.has(`${PLATFORM_SCOPE_PREFIX}*`);

/** What the platform generated an operation from, for the generated test suites and the inventory. */
export type OperationKind = 'list' | 'get' | 'create' | 'update' | 'delete' | 'bulk' | 'export' | 'action' | 'custom';

/** A signed-in person's session, as the authentication step found it. */
export interface SessionIdentity {
  sessionId: string;
  personId: string;
  person: { id: string; name: string; email: string; email_verified: boolean };
  expiresAt: number;
  /** Null while the session acts in no account its person is an active member of. */
  principal: Principal | null;
}

export type ApiResult =
  | { status: number; body: unknown; location?: string; headers?: [string, string][] }
  | {
      status: number;
      stream: ReadableStream<Uint8Array>;
      contentType: string;
      filename?: string;
      headers?: Record<string, string>;
    }
  /** A protocol's own answer (OAuth 2.0, MCP, HTML pages), sent as it is. */
  | { response: Response };

/** One call of an operation, however it arrived (HTTP or an MCP tool call). */
export interface OperationCall<Q = unknown, B = unknown> {
  runtime: Runtime;
  /** The caller. Absent for `none` and `signature` operations, and for a `session` one by a person in no account. */
  principal: Principal;
  session?: SessionIdentity;
  /** `operator` operations: the operator (there is no principal: an operator acts in no account). */
  operator?: OperatorIdentity;
  /** The caller's address, as far as it is known (see FIELDLINE_TRUST_PROXY). */
  clientIp: string | null;
  /** The path's `{name}` segments. */
  params: Record<string, string>;
  query: Q;
  body: B;
  /** Upload operations: the file. */
  file?: UploadedFile;
  requestId: string;
  method: string;
  path: string;
  headers: Headers;
  /** The request itself, for protocols that read it whole (OAuth 2.0, MCP). Absent for MCP tool calls. */
  request?: Request;
  /**
   * `signature` operations: the request did not authenticate. Counted per IP address, and past the
   * limit a 429 is thrown: call it before doing any other work for a refused request.
   */
  refuseCredential(): Promise<void>;
  /** `signature` operations: the account a verified request belongs to (its request log). */
  attribute(principal: Principal): void;
}

/**
 * Which rate-limit bucket a call counts against when it is not fixed: decided by the query (a
 * list with `q` is a search), or by the body for a POST that carries several kinds of call (an
 * MCP message counts as the tool it runs). `decide` may refuse the body with an ApiError.
 */
export type BucketRule =
  { from: 'query'; decide(query: URLSearchParams): RateBucket } | { from: 'body'; decide(body: unknown): RateBucket };

/**
 * A query string as the operation reads it: named parameters (Zod; `parse` replaces the
 * schema's check when the operation reads the query itself), or a parser documented by
 * OpenAPI parameter objects (a list's filters, which are as many as its fields' operators).
 */
export type QuerySpec<Q> =
  | { schema: z.ZodType<Q>; parse?: (raw: URLSearchParams) => Q }
  | { parse: (raw: URLSearchParams) => Q; parameters: readonly unknown[] };

export type BodySpec<B> =
  /** A JSON body. `parse` replaces the schema's own check (a resource's create: unknown fields named). */
  | { json: z.ZodType<B>; required: boolean; parse?: (raw: unknown) => B }
  /** An HTML form (`application/x-www-form-urlencoded`): the OAuth 2.0 endpoints and sign-in pages. */
  | { form: z.ZodType<B> }
  /** A file and its text fields (`multipart/form-data`). */
  | { upload: UploadSpec; fields?: z.ZodType<B> }
  /** The exact bytes, read as text by the operation (a provider's signature covers them); `schema` documents them. */
  | { text: z.ZodType; mediaType: string };

export interface ResponseSpec {
  status: number;
  description: string;
  /** The JSON body (documentation); absent with `content`. */
  json?: z.ZodType;
  /** Other media types (a CSV export, a stream, a page): media type -> its schema. */
  content?: Record<string, z.ZodType>;
  /** Headers the success carries besides the rate-limit ones, e.g. `Location`. */
  headers?: readonly string[];
}

export interface Operation<Q = any, B = any> {
  operationId: string;
  method: HttpMethod;
  /** OpenAPI-style path: `/v1/jobs/{id}/assign`. */
  path: string;
  /** Other paths the same operation answers at (seed compatibility), named in its description. */
  aliases?: readonly string[];
  summary: string;
  description?: string;
  /** OpenAPI tag (group in the reference), e.g. `Job`. */
  tag: string;
  /** The resource collection that declares it, if one does. */
  collection?: string;
  kind: OperationKind;
  /** `action` operations: the action's name. */
  action?: string;
  /** A list nested under another collection's object (`/v1/events/{id}/deliveries`): that collection. */
  listedUnder?: string;
  /** The scope a credential needs; null: any valid credential. */
  scope: string | null;
  authentication: Authentication;
  /** Which rate-limit bucket a call counts against (credential operations). */
  bucket: RateBucket | BucketRule;
  /** The plan capability it is an entry point of: a plan without it answers 403 `feature_not_in_plan`. */
  feature?: PlanFeature;
  /** The `WWW-Authenticate` challenge of a 401, when not the plain Bearer one (MCP names its OAuth metadata). */
  challenge?: (options: RuntimeOptions) => string;
  /** Regular expressions the path's `{name}` segments match (documentation), e.g. an id prefix. */
  params?: Record<string, { pattern?: string; enum?: readonly string[] }>;
  query?: QuerySpec<Q>;
  body?: BodySpec<B>;
  response: ResponseSpec;
  /** Other successes it may answer (an action held for approval: 202 with the approval). */
  alsoResponds?: readonly ResponseSpec[];
  /** Error statuses, when not the ones derived from the operation (see openapi/operation-document.ts). */
  errors?: readonly number[];
  /** Where the operation lives in the SDKs (`jobs.complete`); null: not in them, and why. */
  sdk: string | { excluded: string };
  /** The MCP tool that runs it; or why an agent has none. */
  tool: string | { excluded: string };
  /** Why the operation is not in the OpenAPI document (a browser page, the MCP endpoint), if it is not. */
  undocumented?: string;
  /** Extra OpenAPI members of the operation (`x-fieldline-receiver`). */
  extensions?: Record<string, unknown>;
  handle(call: OperationCall<Q, B>): Promise<ApiResult>;
}

/** The operation's OpenAPI `{name}` path segments. */
export const pathParameterNames = (path: string): string[] => [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => name);

/** Keys are kept per account, so POSTs by credentials, sessions and customers take an Idempotency-Key. */
export const acceptsIdempotencyKey = (operation: Operation): boolean =>
  operation.method === 'post' &&
  (operation.authentication === 'credential' ||
    operation.authentication === 'session' ||
    operation.authentication === 'customer');
