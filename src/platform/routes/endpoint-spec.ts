// Routes that are not a resource's CRUD: `/v1/rate-limit`, `/v1/usage`, `/v1/echo`. Declared
// once with Zod schemas for their query, body and response; the HTTP layer mounts them with
// the same authentication, limits and logging as resource routes, and the OpenAPI builder
// documents them from the same declaration.
import { z } from 'zod';
import type { Principal } from '../operations/principal.ts';
import type { SessionIdentity } from '../../auth/session-verifier.ts';
import type { ApiResult, HttpMethod } from './route-spec.ts';
import { badRequest, validationFailed } from '../errors.ts';
import { zodIssuesToFieldErrors } from '../operations/write-input.ts';
import type { RateBucket } from '../../limits/plans.ts';

/** A file sent in a multipart/form-data body. */
export interface UploadedFile {
  bytes: Buffer;
  /** The name the client gave it. */
  filename: string;
  /** The media type the client declared (not trusted: check the bytes). */
  declaredType: string;
  sha256: string;
}

/** A route whose body is multipart/form-data: one file part and text fields (the `body` schema). */
export interface UploadSpec {
  /** The form field holding the file. */
  field: string;
  /** The largest file accepted (413 beyond). */
  maxBytes: number;
  /** Media types documented as accepted, e.g. `image/png`. */
  mediaTypes: readonly string[];
}

/** A success body that is raw bytes (a photo), not `{ data }` JSON. */
export class BinaryBody {
  constructor(
    readonly bytes: Uint8Array,
    readonly contentType: string,
    readonly filename?: string,
  ) {}
}

/**
 * `credential` (default): an API key, OAuth token or a member's session; `session`: a signed-in
 * person, whether or not they act in an account; `none`: anyone, limited per IP address.
 */
export type Authentication = 'credential' | 'session' | 'none';

export interface EndpointRequest<Q, B> {
  /** The caller; absent on routes whose `authentication` is `none`, and on `session` routes for a person in no account. */
  principal: Principal;
  /** The signed-in person's session, when the credential is one. */
  session?: SessionIdentity;
  /** The caller's address, as far as it is known (see FIELDLINE_TRUST_PROXY). */
  clientIp: string | null;
  /** The path's `{name}` segments. */
  params: Record<string, string>;
  query: Q;
  body: B;
  /** Upload routes: the file. */
  file?: UploadedFile;
  requestId: string;
  method: string;
  path: string;
  headers: Headers;
}

export interface EndpointSpec<Q = any, B = any> {
  method: HttpMethod;
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  /** OpenAPI tag (group in the reference), e.g. `Traffic`. */
  tag: string;
  /** The resource collection that declares this endpoint, if one does. */
  collection?: string;
  /** The scope a credential needs; null: any valid credential. */
  scope: string | null;
  /** Who may call: by default any credential. */
  authentication?: Authentication;
  /** Which rate-limit bucket a call counts against. */
  bucket: RateBucket;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** What `data` holds in the success response (documentation). */
  response: z.ZodType;
  /** Instead of `response`: the named schema component `data` holds (an object of the API). */
  responseComponent?: string;
  /** Regular expressions the path's `{name}` segments match (documentation), e.g. an id prefix. */
  paramPatterns?: Record<string, string>;
  /** A success body that is not `{ data }` JSON (a `text/event-stream`): its media type. */
  responseMediaType?: string;
  successStatus?: number;
  /** The body is multipart/form-data with this file (and `body` describes the text fields). */
  upload?: UploadSpec;
  handle(request: EndpointRequest<Q, B>): Promise<ApiResult>;
}

export const defineEndpoint = <Q = undefined, B = undefined>(spec: EndpointSpec<Q, B>): EndpointSpec<Q, B> => spec;

/** Query string -> the endpoint's query object; repeated or unknown parameters are a 400. */
export function parseEndpointQuery<Q>(endpoint: EndpointSpec<Q, unknown>, params: URLSearchParams): Q {
  const raw: Record<string, string> = {};
  for (const [name, value] of params) {
    if (name in raw)
      throw badRequest(`${name}: given more than once`, [{ path: name, message: 'given more than once' }]);
    raw[name] = value;
  }
  if (!endpoint.query) {
    const [first] = Object.keys(raw);
    if (first)
      throw badRequest(`${first}: unknown query parameter`, [{ path: first, message: 'Unknown query parameter' }]);
    return undefined as Q;
  }
  const parsed = endpoint.query.safeParse(raw);
  if (!parsed.success) {
    const errors = zodIssuesToFieldErrors(parsed.error.issues);
    throw badRequest(errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors);
  }
  return parsed.data;
}

export function parseEndpointBody<B>(endpoint: EndpointSpec<unknown, B>, body: unknown): B {
  if (!endpoint.body) return body as B;
  const parsed = endpoint.body.safeParse(body ?? {});
  if (!parsed.success) throw validationFailed(zodIssuesToFieldErrors(parsed.error.issues));
  return parsed.data;
}
