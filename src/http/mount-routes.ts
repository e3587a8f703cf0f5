// Route table + endpoints -> Hono. Each route's middleware chain is spelled out here: the
// gate (authenticate, rate limit, quota, scope), body, idempotency for POST, then the
// operation; paths with no route for a method answer 405.
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { routeBucket, type ApiResult, type HttpMethod, type RouteSpec } from '../platform/routes/route-spec.ts';
import {
  parseEndpointBody,
  parseEndpointQuery,
  type Authentication,
  type EndpointSpec,
  type UploadSpec,
} from '../platform/routes/endpoint-spec.ts';
import { multipartBody } from './multipart-body.ts';
import type { RateBucket } from '../limits/plans.ts';
import { ApiError } from '../platform/errors.ts';
import { routeGate, type GateServices } from './route-gate.ts';
import { jsonBody } from './json-body.ts';
import { clientIp } from './client-ip.ts';
import { idempotency } from './idempotency.ts';
import type { Database } from '../db/database.ts';
import type { Logger } from 'pino';
import type { SecretBox } from '../platform/secret-box.ts';
import './context-variables.ts';

const toHonoPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');

/** What mounting needs of a route, whether a resource's or an endpoint. */
interface MountableRoute {
  method: HttpMethod;
  path: string;
  scope: string | null;
  authentication?: Authentication;
  body: 'none' | 'required' | 'optional' | 'multipart';
  upload?: UploadSpec;
  bucket(c: Context): RateBucket;
  run(c: Context): Promise<ApiResult>;
}

function queryOf(c: Context): URLSearchParams {
  const url = c.req.url;
  const queryStart = url.indexOf('?');
  return new URLSearchParams(queryStart === -1 ? '' : url.slice(queryStart + 1));
}

function resourceRoute(route: RouteSpec): MountableRoute {
  return {
    method: route.method,
    path: route.path,
    scope: route.scope,
    body: route.body,
    bucket: (c) => routeBucket(route, { has: (name) => c.req.query(name) !== undefined }),
    run: (c) =>
      route.handle({
        principal: c.get('principal'),
        params: c.req.param() as Record<string, string>,
        query: queryOf(c),
        body: c.get('body'),
        requestId: c.get('requestId'),
      }),
  };
}

/** An upload's text fields: the body without the file's descriptor (which is there for idempotency). */
function textFields(endpoint: EndpointSpec, body: unknown): unknown {
  if (!endpoint.upload) return body;
  const { [endpoint.upload.field]: _file, ...fields } = body as Record<string, unknown>;
  return fields;
}

function endpointRoute(endpoint: EndpointSpec, trustProxy: boolean): MountableRoute {
  return {
    method: endpoint.method,
    path: endpoint.path,
    scope: endpoint.scope,
    authentication: endpoint.authentication,
    bucket: () => endpoint.bucket,
    upload: endpoint.upload,
    body: endpoint.upload
      ? 'multipart'
      : endpoint.method === 'get' || endpoint.method === 'delete'
        ? 'none'
        : 'optional',
    run: (c) =>
      endpoint.handle({
        principal: c.get('principal'),
        session: c.get('session'),
        clientIp: clientIp(c, trustProxy),
        params: c.req.param() as Record<string, string>,
        query: parseEndpointQuery(endpoint, queryOf(c)),
        body: parseEndpointBody(endpoint, textFields(endpoint, c.get('body'))),
        file: c.get('upload'),
        requestId: c.get('requestId'),
        method: c.req.method,
        path: c.req.path,
        headers: c.req.raw.headers,
      }),
  };
}

function send(c: Context, result: ApiResult): Response {
  if ('stream' in result) {
    return c.body(result.stream, result.status as 200, {
      'Content-Type': result.contentType,
      ...(result.filename ? { 'Content-Disposition': `attachment; filename="${result.filename}"` } : {}),
      ...result.headers,
    });
  }
  if (result.location) c.header('Location', result.location);
  for (const [name, value] of result.headers ?? []) c.header(name, value, { append: true });
  const text = JSON.stringify(result.body);
  c.set('bytesOut', Buffer.byteLength(text));
  return c.body(text, result.status as 200, { 'Content-Type': 'application/json' });
}

export interface MountOptions extends GateServices {
  maxBodyBytes: number;
  db: Database;
  logger: Logger;
  secrets: SecretBox;
}

export function mountRoutes(app: Hono, routes: RouteSpec[], endpoints: EndpointSpec[], options: MountOptions): void {
  const idempotent = idempotency(options);
  const withAliases = routes.flatMap((route) => [route, ...(route.aliases ?? []).map((path) => ({ ...route, path }))]);
  const all = [
    ...endpoints.map((endpoint) => endpointRoute(endpoint, options.trustProxy)),
    ...withAliases.map(resourceRoute),
  ];
  const allowed = new Map<string, Set<string>>();
  for (const route of all) {
    const path = toHonoPath(route.path);
    allowed.set(path, (allowed.get(path) ?? new Set()).add(route.method.toUpperCase()));
  }
  const answerMethodNotAllowed = (path: string) =>
    app.all(path, () => {
      const allow = [...allowed.get(path)!].join(', ');
      throw new ApiError('method_not_allowed', `Use ${allow} on this path`, { headers: { Allow: allow } });
    });
  // Static paths (/customers/export, /customers/bulk) and their 405s go before `{id}` paths,
  // so `GET /customers/bulk` is a 405 rather than a search for a customer called "bulk".
  const isStatic = (route: MountableRoute) => !route.path.includes('{');
  for (const group of [all.filter(isStatic), all.filter((route) => !isStatic(route))]) {
    // Idempotency keys belong to an account; routes open to anyone (sign-in) have none.
    for (const route of group)
      mountRoute(app, route, options, route.method === 'post' && route.authentication !== 'none' ? [idempotent] : []);
    for (const path of new Set(group.map((route) => toHonoPath(route.path)))) answerMethodNotAllowed(path);
  }
}

function mountRoute(app: Hono, route: MountableRoute, options: MountOptions, extra: MiddlewareHandler[]): void {
  const chain: MiddlewareHandler[] = [routeGate(route, options)];
  if (route.body === 'multipart') chain.push(multipartBody(route.upload!));
  else if (route.body !== 'none')
    chain.push(jsonBody({ maxBytes: options.maxBodyBytes, optional: route.body === 'optional' }));
  chain.push(...extra);
  app.on(route.method.toUpperCase(), [toHonoPath(route.path)], ...chain, async function runOperation(c) {
    return send(c, await route.run(c));
  });
}
