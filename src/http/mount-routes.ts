// Route table -> Hono. Each route's middleware chain is spelled out here: authenticate,
// scope, body, then the operation; paths with no route for a method answer 405.
import type { Context, Hono, MiddlewareHandler } from 'hono';
import type { ApiKeyVerifier } from '../auth/api-keys.ts';
import type { ApiResult, RouteSpec } from '../platform/routes/route-spec.ts';
import { ApiError } from '../platform/errors.ts';
import { authorize } from './authenticate.ts';
import { jsonBody } from './json-body.ts';
import { idempotency } from './idempotency.ts';
import type { Database } from '../db/database.ts';
import type { Logger } from 'pino';
import './context-variables.ts';

const toHonoPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');

function send(c: Context, result: ApiResult): Response {
  if ('stream' in result) {
    return c.body(result.stream, result.status as 200, {
      'Content-Type': result.contentType,
      'Content-Disposition': `attachment; filename="${result.filename}"`,
    });
  }
  if (result.location) c.header('Location', result.location);
  return c.json(result.body as object, result.status as 200);
}

export interface MountOptions {
  verifier: ApiKeyVerifier;
  maxBodyBytes: number;
  db: Database;
  logger: Logger;
}

export function mountRoutes(app: Hono, routes: RouteSpec[], options: MountOptions): void {
  const idempotent = idempotency(options);
  const allowed = new Map<string, Set<string>>();
  for (const route of routes) {
    const path = toHonoPath(route.path);
    allowed.set(path, (allowed.get(path) ?? new Set()).add(route.method.toUpperCase()));
  }
  const answerMethodNotAllowed = (path: string) => app.all(path, () => {
    const allow = [...allowed.get(path)!].join(', ');
    throw new ApiError('method_not_allowed', `Use ${allow} on this path`, { headers: { Allow: allow } });
  });
  // Static paths (/customers/export, /customers/bulk) and their 405s go before `{id}` paths,
  // so `GET /customers/bulk` is a 405 rather than a search for a customer called "bulk".
  const isStatic = (route: RouteSpec) => !route.path.includes('{');
  for (const group of [routes.filter(isStatic), routes.filter((route) => !isStatic(route))]) {
    for (const route of group) mountRoute(app, route, options, route.method === 'post' ? [idempotent] : []);
    for (const path of new Set(group.map((route) => toHonoPath(route.path)))) answerMethodNotAllowed(path);
  }
}

function mountRoute(app: Hono, route: RouteSpec, options: MountOptions, extra: MiddlewareHandler[]): void {
  const chain: MiddlewareHandler[] = [authorize(options.verifier, route.scope)];
  if (route.body !== 'none') chain.push(jsonBody({ maxBytes: options.maxBodyBytes, optional: route.body === 'optional' }));
  chain.push(...extra);
  app.on(route.method.toUpperCase(), [toHonoPath(route.path)], ...chain, async function runOperation(c) {
    const url = c.req.url;
    const queryStart = url.indexOf('?');
    const result = await route.handle({
      principal: c.get('principal'),
      params: c.req.param() as Record<string, string>,
      query: new URLSearchParams(queryStart === -1 ? '' : url.slice(queryStart + 1)),
      body: c.get('body'),
      requestId: c.get('requestId'),
    });
    return send(c, result);
  });
}
