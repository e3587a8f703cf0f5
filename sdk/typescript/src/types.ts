// The types shared by the runtime and the generated operation table: what one operation needs
// to be called, per-request options, and the helpers that pull an operation's body, query and
// answer out of openapi-typescript's `paths`.

/** How to call one operation; the generator writes one per `x-fieldline-sdk` name. */
export interface OperationSpec {
  readonly method: string;
  readonly path: string;
  readonly pathParams: readonly string[];
  readonly query: 'none' | 'optional' | 'required';
  readonly body: 'none' | 'json' | 'multipart';
  readonly bodyRequired: boolean;
  /** Answers `{ data: [...], page }` and takes `cursor`: the SDK returns a PagePromise. */
  readonly paginated: boolean;
  /** `raw`: the SDK returns the Response (CSV export, file download, event stream). */
  readonly response: 'json' | 'raw' | 'empty';
  /** The SDK returns the answer's `data`. */
  readonly unwrap: boolean;
}

export type OperationTable = Readonly<Record<string, OperationSpec>>;

/** Options for one call, after its arguments. */
export interface RequestOptions {
  /**
   * The `Idempotency-Key` of a POST. By default every POST gets a fresh random key, so it is
   * safe to retry; pass your own to make retries across processes safe, or `null` to send none
   * (the request is then never retried).
   */
  idempotencyKey?: string | null;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** Aborts the request (and its retries). */
  signal?: AbortSignal;
  /** Overrides the client's `timeoutMs` for this call. */
  timeoutMs?: number;
  /** Overrides the client's `maxRetries` for this call. */
  maxRetries?: number;
}

type SuccessCode = 200 | 201 | 202 | 203 | 206;
type Responses<O> = O extends { responses: infer R } ? R : never;
type JsonContent<R> = R extends { content: { 'application/json': infer J } } ? J : never;

/** An operation's JSON request body. */
export type JsonBody<O> = O extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;
/** An operation's multipart request body: files as Blob/File, other fields as strings. */
export type MultipartBody<O> = O extends { requestBody?: { content: { 'multipart/form-data': infer B } } } ? B : never;
/** An operation's query parameters. */
export type Query<O> = O extends { parameters: { query?: infer Q } } ? Exclude<Q, undefined> : never;
/** An operation's successful JSON answer, as sent. */
export type JsonResponse<O> = JsonContent<Responses<O>[keyof Responses<O> & SuccessCode]>;
/** The `data` of an operation's successful JSON answer. */
export type Data<O> = JsonResponse<O> extends { data: infer D } ? D : never;
/** One item of a list operation's page. */
export type Item<O> = JsonResponse<O> extends { data: ReadonlyArray<infer I> } ? I : never;
