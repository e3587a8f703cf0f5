// The HTTP application: the whole middleware order in one place.
import { Hono } from 'hono';
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import type { Registry } from '../platform/registry.ts';
import { ApiKeyVerifier } from '../auth/api-keys.ts';
import { resourceRoutes } from '../platform/routes/resource-routes.ts';
import { buildOpenApiDocument } from '../platform/openapi/build-openapi.ts';
import { responseBasics } from './response-basics.ts';
import { notFoundHandler, problemHandler } from './problem.ts';
import { mountRoutes } from './mount-routes.ts';
import { mountApiInfo } from './api-info.ts';
import { mountDocs } from './docs.ts';
import { DEFAULT_BODY_LIMIT } from './json-body.ts';

export interface AppOptions {
  db: Database;
  registry: Registry;
  logger: Logger;
  maxBodyBytes?: number;
  apiKeyCacheTtlMs?: number;
}

export function createApp(options: AppOptions) {
  const { db, registry, logger } = options;
  const routes = resourceRoutes({ db, registry }, registry);
  const openapi = buildOpenApiDocument(registry, routes);
  const app = new Hono();

  app.use(responseBasics());
  app.onError(problemHandler(logger));
  app.notFound(notFoundHandler);

  mountDocs(app, openapi);
  mountApiInfo(app, db);
  mountRoutes(app, routes, {
    db,
    logger,
    verifier: new ApiKeyVerifier(db, { cacheTtlMs: options.apiKeyCacheTtlMs }),
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_BODY_LIMIT,
  });
  return { app, routes, openapi };
}
