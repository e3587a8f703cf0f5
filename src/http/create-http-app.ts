// The HTTP application of an API on its runtime. Every request passes, in this order:
//   1. response basics: the request id, security headers      (response-basics.ts)
//   2. CORS: preflights, and the origin a credential allows    (cors.ts)
//   3. request telemetry: metrics and the request log          (the analytics module's)
//   4. the documents: /openapi.json, /docs, /portal, /metrics, /v1, /v1/health, well-known metadata
//   5. the operations, each with its own chain                 (mount-operations.ts)
// and any error leaves as problem details (problem.ts).
import { Hono } from 'hono';
import type { Api } from '../platform/api/build-api.ts';
import { responseBasics } from './response-basics.ts';
import { cors } from './cors.ts';
import { notFoundHandler, problemHandler } from './problem.ts';
import { mountOperations } from './mount-operations.ts';
import { mountApiInfo } from './api-info.ts';
import { mountDocs } from './docs.ts';
import { mountPortal } from './portal.ts';
import { mountMetrics } from './metrics-route.ts';
import { mountModuleDocuments } from './module-documents.ts';
import { credentials, originDirectory, requestTelemetry } from './http-services.ts';
import { replicaReads } from './replica-reads.ts';
import type { Runtime } from '../platform/contract.ts';

export interface HttpOptions {
  /** The developer portal's build, served at /portal (default web/dist). */
  portalDir?: string;
  /**
   * Origins always allowed by CORS, with credentials, whose pages may also make changes with the
   * session cookie (the portal when served elsewhere).
   */
  portalOrigins?: readonly string[];
  /** Serve /metrics on this app behind this bearer token; absent: not on this app. */
  metricsToken?: string | null;
}

export function createHttpApp(api: Api, runtime: Runtime, options: HttpOptions = {}): Hono {
  const app = new Hono();
  app.use(responseBasics({ trustProxy: runtime.options.trustProxy }));
  app.use(cors({ directory: runtime.find(originDirectory), portalOrigins: options.portalOrigins ?? [] }));
  const telemetry = runtime.options.trafficControl ? runtime.find(requestTelemetry) : undefined;
  // API calls only: /v1 and the operations outside it (MCP). One middleware on every path, with
  // no pattern of its own for the router to walk per request.
  const outsideV1 = new Set(
    api.operations.map((operation) => operation.path).filter((path) => !path.startsWith('/v1')),
  );
  if (telemetry) {
    app.use(function recordApiCalls(c, next) {
      const path = c.req.path;
      return path.startsWith('/v1') || outsideV1.has(path) ? telemetry(c, next) : next();
    });
  }
  // With a read replica only: which caller reads, and who wrote lately (replica-reads.ts).
  if (runtime.options.readReplica) app.use(replicaReads(runtime.options.readReplica));
  app.onError(problemHandler(runtime.logger));
  app.notFound(notFoundHandler);

  mountDocs(app, api.document);
  mountPortal(app, options.portalDir, runtime.find(credentials)?.sessionCookie);
  if (options.metricsToken) mountMetrics(app, runtime.metrics, options.metricsToken);
  mountApiInfo(app, runtime.db);
  mountModuleDocuments(app, api.modules, runtime);
  mountOperations(app, api.operations, runtime, { portalOrigins: options.portalOrigins });
  return app;
}
