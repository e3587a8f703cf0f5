// The operation table -> Hono. Every operation's chain is the same list, in this order:
//   1. gate: authenticate, rate limit and quota, scope (gate.ts)
//   2. body: JSON, an upload, a form or the exact text, as the operation declares it
//   3. the charge of operations whose bucket their body decides (an MCP message)
//   4. idempotency, for POSTs made with a credential or a session
//   5. the operation, whose answer leaves as `{ data }` JSON, a stream or a protocol's response
// Paths with no operation for a method answer 405.
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { acceptsIdempotencyKey, type ApiResult, type Operation } from '../platform/api/operation.ts';
import { invokeOperation } from '../platform/api/invoke-operation.ts';
import { ApiError } from '../platform/errors.ts';
import { chargeByBody, gate, limitsOf, type GateOptions } from './gate.ts';
import { jsonBody } from './json-body.ts';
import { multipartBody } from './multipart-body.ts';
import { formBody, textBody } from './form-body.ts';
import { idempotency } from './idempotency.ts';
import { clientIp } from './client-ip.ts';
import { withRequestOrigin } from '../audit/request-origin.ts';
import { queryOf } from './query-of.ts';
import './context-variables.ts';
import type { Runtime } from '../platform/contract.ts';
import { attachmentDisposition } from './content-disposition.ts';

const toHonoPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');

function bodyReader(operation: Operation, maxBytes: number): MiddlewareHandler | undefined {
  const body = operation.body;
  if (!body) return undefined;
  if ('upload' in body) return multipartBody(body.upload);
  if ('form' in body) return formBody({ maxBytes });
  if ('text' in body) return textBody({ maxBytes });
  return jsonBody({ maxBytes, optional: !body.required });
}

/** An upload's text fields: the body without the file's descriptor (which is there for idempotency). */
function bodyOf(operation: Operation, c: Context): unknown {
  const spec = operation.body;
  if (spec && 'text' in spec) return c.get('rawBody')?.toString('utf8') ?? '';
  const body = c.get('body');
  if (!spec || !('upload' in spec)) return body;
  const { [spec.upload.field]: _file, ...fields } = body as Record<string, unknown>;
  return fields;
}

/** The request as it came, its body given back when a reader consumed it. */
function requestOf(c: Context): Request {
  const raw = c.get('rawBody');
  if (!raw) return c.req.raw;
  return new Request(c.req.url, { method: c.req.method, headers: c.req.raw.headers, body: new Uint8Array(raw) });
}

function send(c: Context, result: ApiResult): Response {
  if ('response' in result) return result.response;
  if ('stream' in result) {
    return c.body(result.stream, result.status as 200, {
      'Content-Type': result.contentType,
      ...(result.filename ? { 'Content-Disposition': attachmentDisposition(result.filename) } : {}),
      ...result.headers,
    });
  }
  if (result.location) c.header('Location', result.location);
  for (const [name, value] of result.headers ?? []) c.header(name, value, { append: true });
  const text = JSON.stringify(result.body);
  c.set('bytesOut', Buffer.byteLength(text));
  return c.body(text, result.status as 200, { 'Content-Type': 'application/json' });
}

function run(operation: Operation, runtime: Runtime): MiddlewareHandler {
  const limits = limitsOf(runtime);
  const { trustProxy } = runtime.options;
  return async function runOperation(c) {
    const origin = {
      requestId: c.get('requestId'),
      ip: clientIp(c, trustProxy),
      userAgent: c.req.header('user-agent') ?? null,
    };
    const result = await withRequestOrigin(origin, () =>
      invokeOperation(operation, {
        runtime,
        principal: c.get('principal'),
        session: c.get('session'),
        operator: c.get('operator'),
        clientIp: clientIp(c, trustProxy),
        params: c.req.param() as Record<string, string>,
        query: queryOf(c),
        body: bodyOf(operation, c),
        file: c.get('upload'),
        requestId: c.get('requestId'),
        method: c.req.method,
        path: c.req.path,
        headers: c.req.raw.headers,
        request: requestOf(c),
        refuseCredential: async () => limits?.countFailedAuthentication(clientIp(c, trustProxy)),
        // The request log belongs to the account a provider's verified request names.
        attribute: (principal) => c.set('principal', principal),
      }),
    );
    return send(c, result);
  };
}

export function mountOperations(
  app: Hono,
  operations: readonly Operation[],
  runtime: Runtime,
  options: GateOptions = {},
): void {
  const idempotent = idempotency(runtime);
  const routes = operations.flatMap((operation) =>
    [operation.path, ...(operation.aliases ?? [])].map((path) => ({ operation, path })),
  );
  const allowed = new Map<string, Set<string>>();
  for (const { operation, path } of routes) {
    const honoPath = toHonoPath(path);
    allowed.set(honoPath, (allowed.get(honoPath) ?? new Set()).add(operation.method.toUpperCase()));
  }
  const answerMethodNotAllowed = (path: string) =>
    app.all(path, () => {
      const allow = [...allowed.get(path)!].join(', ');
      throw new ApiError('method_not_allowed', `Use ${allow} on this path`, { headers: { Allow: allow } });
    });
  // Static paths (/customers/export, /customers/bulk) and their 405s go before `{id}` paths,
  // so `GET /customers/bulk` is a 405 rather than a search for a customer called "bulk".
  const isStatic = (path: string) => !path.includes('{');
  for (const group of [routes.filter((r) => isStatic(r.path)), routes.filter((r) => !isStatic(r.path))]) {
    for (const { operation, path } of group) {
      const chain = [
        gate(operation, path, runtime, options),
        bodyReader(operation, runtime.options.maxBodyBytes),
        chargeByBody(operation, runtime),
        acceptsIdempotencyKey(operation) ? idempotent : undefined,
        run(operation, runtime),
      ].filter((step): step is MiddlewareHandler => step !== undefined);
      app.on(operation.method.toUpperCase(), [toHonoPath(path)], ...chain);
    }
    for (const path of new Set(group.map((r) => toHonoPath(r.path)))) answerMethodNotAllowed(path);
  }
}
