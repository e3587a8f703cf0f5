// The Fieldline client: credentials and transport settings, and one method per API operation,
// built from the generated operation table (`fieldline.jobs.complete(id)`, `fieldline.search(q)`).
import { operationTable, type Resources } from './generated/operations.ts';
import { PagePromise } from './pagination.ts';
import { sendRequest, type RetryEvent, type RetryPolicy, type TokenSource, type TransportConfig } from './request.ts';
import type { OperationSpec, OperationTable, RequestOptions } from './types.ts';
import { webhooks } from './webhooks.ts';

export const VERSION = '0.1.0';

export interface FieldlineOptions {
  /** An API key, `fl_live_...` or `fl_test_...`. Default: the FIELDLINE_API_KEY environment variable (Node). */
  apiKey?: string;
  /** An OAuth access token (or a session token) you obtained yourself. */
  accessToken?: string;
  /** A token source that may refresh, e.g. `clientCredentials({ clientId, clientSecret })`. */
  auth?: TokenSource;
  /**
   * In a browser signed in to Fieldline: send the session cookie instead of a bearer token.
   * `'same-origin'` when the page is served by the API's own origin (the developer portal),
   * `'include'` from another origin the account allows (CORS with credentials).
   */
  browserSession?: 'same-origin' | 'include';
  /** Default `http://localhost:3000`. */
  baseUrl?: string;
  /** Retries after 429, 5xx and network failures. Default 2. */
  maxRetries?: number;
  /** Per attempt, until the answer's headers arrive. Default 60000. */
  timeoutMs?: number;
  /** Backoff tuning. */
  retry?: Partial<RetryPolicy>;
  /** Called before each retry (for logging). */
  onRetry?: (event: RetryEvent) => void;
  /** Default: the global fetch. */
  fetch?: typeof fetch;
  /** Sent as User-Agent outside browsers. Default `fieldline-typescript/<version>`. */
  userAgent?: string;
}

type Args = unknown[];

function fillPath(spec: OperationSpec, values: Args): string {
  return spec.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = values[spec.pathParams.indexOf(name)];
    if (typeof value !== 'string' || value === '')
      throw new TypeError(`${spec.method} ${spec.path}: the path parameter "${name}" must be a non-empty string`);
    return encodeURIComponent(value);
  });
}

function operationMethod(config: TransportConfig, spec: OperationSpec) {
  return (...args: Args) => {
    let next = spec.pathParams.length;
    const body = spec.body === 'none' ? undefined : args[next++];
    const query = spec.query === 'none' ? undefined : (args[next++] as Record<string, unknown> | undefined);
    const options = (args[next] ?? {}) as RequestOptions;
    const call = async (pageQuery = query) => {
      const response = await sendRequest(
        config,
        {
          method: spec.method,
          path: fillPath(spec, args),
          query: pageQuery,
          json: spec.body === 'json' ? body : undefined,
          form: spec.body === 'multipart' ? (body as Record<string, unknown>) : undefined,
          accept: spec.response === 'raw' ? undefined : 'application/json',
          stream: spec.response === 'raw',
        },
        options,
      );
      if (spec.response === 'raw') return response;
      if (spec.response === 'empty') {
        await response.body?.cancel();
        return undefined;
      }
      const json = (await response.json()) as { data?: unknown };
      return spec.unwrap ? json.data : json;
    };
    if (!spec.paginated) return call();
    // Following a cursor replaces any offset: the two do not combine.
    return new PagePromise((cursor) => call(cursor ? { ...query, offset: undefined, cursor } : query));
  };
}

/** Namespace -> method -> spec, and top-level methods, from the flat table. */
function groupTable(table: OperationTable) {
  const namespaces = new Map<string, Map<string, OperationSpec>>();
  const topLevel = new Map<string, OperationSpec>();
  for (const [name, spec] of Object.entries(table)) {
    const [namespace, method] = name.split('.') as [string, string | undefined];
    if (method === undefined) topLevel.set(namespace, spec);
    else namespaces.set(namespace, (namespaces.get(namespace) ?? new Map()).set(method, spec));
  }
  return { namespaces, topLevel };
}
const grouped = groupTable(operationTable);

function defaultApiKey(): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.FIELDLINE_API_KEY;
}

/** The Fieldline API client. Its resources (`customers`, `jobs`, ...) are in `Resources`. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface Fieldline extends Resources {}

/**
 * @example
 * const fieldline = new Fieldline({ apiKey: 'fl_test_...' });
 * const customer = await fieldline.customers.create({ name: 'Ada Lovelace' });
 * await fieldline.jobs.complete('job_...');
 * for await (const c of fieldline.customers.list({ status: 'active' })) console.log(c.name);
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Fieldline {
  /** Webhook signature verification (Standard Webhooks). */
  static readonly webhooks = webhooks;
  readonly #config: TransportConfig;

  constructor(options: FieldlineOptions = {}) {
    const given = [options.apiKey, options.accessToken, options.auth, options.browserSession].filter(
      (c) => c !== undefined,
    ).length;
    if (given > 1) throw new TypeError('Fieldline: pass one of apiKey, accessToken, auth or browserSession');
    const auth = options.browserSession
      ? null
      : (options.auth ?? fixedToken(options.apiKey ?? options.accessToken ?? defaultApiKey()));
    const isBrowser = 'document' in globalThis;
    this.#config = {
      baseUrl: options.baseUrl ?? 'http://localhost:3000',
      fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
      auth,
      credentials: options.browserSession,
      maxRetries: options.maxRetries ?? 2,
      timeoutMs: options.timeoutMs ?? 60_000,
      userAgent: options.userAgent ?? (isBrowser ? undefined : `fieldline-typescript/${VERSION}`),
      retry: { initialDelayMs: 500, maxDelayMs: 8000, maxRetryAfterMs: 60_000, ...options.retry },
      onRetry: options.onRetry,
    };
    for (const [name, spec] of grouped.topLevel) {
      Object.defineProperty(this, name, { value: operationMethod(this.#config, spec) });
    }
    for (const [namespace, methods] of grouped.namespaces) {
      let built: Record<string, unknown> | undefined;
      Object.defineProperty(this, namespace, {
        get: () =>
          (built ??= Object.fromEntries(
            [...methods].map(([method, spec]) => [method, operationMethod(this.#config, spec)]),
          )),
      });
    }
  }

  /** Any API path, for what the typed methods do not cover; resolves to the 2xx Response. */
  request(
    method: string,
    path: string,
    init: RequestOptions & { query?: Record<string, unknown>; body?: unknown } = {},
  ): Promise<Response> {
    const { query, body, ...options } = init;
    return sendRequest(this.#config, { method, path, query, json: body, accept: 'application/json' }, options);
  }
}

function fixedToken(token: string | undefined): TokenSource {
  if (!token) throw new TypeError('Fieldline: pass apiKey, accessToken or auth (or set FIELDLINE_API_KEY)');
  return { getToken: () => Promise.resolve(token) };
}
