// The HTTP application: the whole middleware order in one place, and the in-process services
// it owns (rate limiter, quota counter, request log writer, metrics) with their lifecycle.
import { Hono } from 'hono';
import type { Logger } from 'pino';
import type { Redis } from 'ioredis';
import type { Database } from '../db/database.ts';
import type { Registry } from '../platform/registry.ts';
import { ApiKeyVerifier } from '../auth/api-keys.ts';
import { resourceRoutes } from '../platform/routes/resource-routes.ts';
import type { EndpointSpec } from '../platform/routes/endpoint-spec.ts';
import { buildOpenApiDocument } from '../platform/openapi/build-openapi.ts';
import { appendPlatformEvent } from '../platform/events/platform-events.ts';
import { Metrics } from '../analytics/metrics.ts';
import { RequestLogWriter } from '../analytics/request-log-writer.ts';
import { localDiskStorage, type FileStorage } from '../storage/file-storage.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resourceEndpoints } from '../platform/routes/resource-endpoints.ts';
import { searchEndpoint } from '../platform/routes/search-endpoint.ts';
import { usageEndpoint } from '../analytics/usage-endpoint.ts';
import { errorsEndpoint } from '../analytics/errors-endpoint.ts';
import { AlertEvaluator } from '../analytics/alert-evaluator.ts';
import { MailRelay } from '../mail/mail-outbox.ts';
import { CampaignSender } from '../messaging/campaign-sender.ts';
import { logTransport, smtpTransport } from '../mail/mail-transport.ts';
import { RequestRateLimiter } from '../limits/request-rate-limiter.ts';
import { MonthlyQuota, type QuotaState } from '../limits/monthly-quota.ts';
import { mcpTools, type McpTool } from '../mcp/mcp-tools.ts';
import { MCP_PATH, mountMcp } from '../mcp/mcp-route.ts';
import { rateLimitEndpoint } from '../limits/rate-limit-endpoint.ts';
import { accountEndpoints } from '../auth/account-endpoints.ts';
import { responseBasics } from './response-basics.ts';
import { AllowedOriginsDirectory, cors } from './cors.ts';
import { notFoundHandler, problemHandler } from './problem.ts';
import { requestTelemetry } from './request-telemetry.ts';
import { mountRoutes } from './mount-routes.ts';
import { mountApiInfo } from './api-info.ts';
import { mountDocs } from './docs.ts';
import { mountPortal } from './portal.ts';
import { mountMetrics } from './metrics-route.ts';
import { echoEndpoint } from './echo-endpoint.ts';
import { DEFAULT_BODY_LIMIT } from './json-body.ts';
import { randomBytes } from 'node:crypto';
import type { Runtime } from '../platform/operations/runtime.ts';
import { SecretBox } from '../platform/secret-box.ts';
import { WebhookDispatcher, type DispatcherOptions } from '../webhooks/webhook-dispatcher.ts';
import '../webhooks/webhook-service.ts';
import { EventStreamHub } from '../realtime/event-stream-hub.ts';
import { eventStreamEndpoint } from '../realtime/event-stream-endpoint.ts';
import { inboundOperation, mountInboundRoute } from '../inbound/inbound-route.ts';
import { INBOUND_PATH } from '../inbound/inbound-sources-resource.ts';
import { InboundLogRetention } from '../inbound/inbound-log-retention.ts';
import { createPeopleAuth } from '../auth/people-auth.ts';
import { SessionVerifier } from '../auth/session-verifier.ts';
import { sessionEndpoints } from '../auth/session-endpoints.ts';
import { oauthScopes } from '../auth/oauth-provider.ts';
import { roleCatalogue } from '../auth/roles.ts';
import { OAuthTokenVerifier } from '../auth/oauth-tokens.ts';
import { documentOAuth, mountOAuthRoutes } from './oauth-routes.ts';
import { oauthClientEndpoints } from '../auth/oauth-clients.ts';
import { connectedAppEndpoints } from '../auth/connected-apps.ts';

export interface AppOptions {
  db: Database;
  registry: Registry;
  logger: Logger;
  maxBodyBytes?: number;
  /** Where uploaded files go; absent: a temporary folder that lives as long as the machine's tmp (tests). */
  files?: FileStorage;
  apiKeyCacheTtlMs?: number;
  /** Shared rate-limit counters for several nodes; absent: per-node memory. */
  redis?: Redis;
  /** Believe X-Forwarded-For / X-Forwarded-Proto (only behind a proxy that sets them). */
  trustProxy?: boolean;
  /** The developer portal's build, served at /portal (default web/dist). */
  portalDir?: string;
  /** Origins always allowed by CORS, with credentials (the portal when served elsewhere). */
  portalOrigins?: readonly string[];
  requestLogRetentionDays?: number;
  /** Serve /metrics on this app behind this bearer token (null: not on this app). */
  metricsToken?: string | null;
  alertIntervalMs?: number;
  /** Mail goes to this SMTP server; absent: to the log. */
  smtp?: { url: string; from: string };
  /**
   * false: no rate limits, quotas, request logs or request metrics. Only the benchmark sets it,
   * to measure in one run what traffic control costs; a server always has it on.
   */
  trafficControl?: boolean;
  /** Where clients reach this server (FIELDLINE_PUBLIC_URL): links in mails, the OAuth issuer, Secure cookies when https. */
  publicUrl?: string;
  /** Encrypts stored secrets (webhook and inbound signing secrets); absent: a random key that lives as long as the process (tests). */
  secretKey?: Buffer;
  webhooks?: {
    /** http:// and private addresses allowed as endpoint URLs (tests, local development). */
    allowPrivate?: boolean;
  } & Partial<Pick<DispatcherOptions, 'now' | 'pollMs' | 'leaseMs' | 'timeoutMs'>>;
}

export function createApp(options: AppOptions) {
  const { db, registry, logger } = options;
  const trustProxy = options.trustProxy ?? false;
  const metrics = new Metrics();
  metrics.gaugeFrom('fieldline_db_connections_in_use', 'Database connections checked out.', () => {
    const s = db.poolStats();
    return s.total - s.idle;
  });
  metrics.gaugeFrom(
    'fieldline_db_connections_waiting',
    'Requests waiting for a database connection.',
    () => db.poolStats().waiting,
  );
  const writer = new RequestLogWriter(db, metrics, logger, { retentionDays: options.requestLogRetentionDays });
  const rateLimiter = new RequestRateLimiter({ redis: options.redis, logger, metrics });
  const warnOfQuota = (accountId: string, state: QuotaState) =>
    appendPlatformEvent(db, accountId, 'account.quota_warning', {
      object: 'quota',
      period: state.period,
      metric: state.metric,
      used: state.used,
      limit: state.limit,
    });
  const quota = new MonthlyQuota(db, logger, { onWarning: warnOfQuota });
  const deliveryQuota = new MonthlyQuota(db, logger, { metric: 'webhook_deliveries', onWarning: warnOfQuota });
  const alerts = new AlertEvaluator(db, logger, { intervalMs: options.alertIntervalMs });
  const mail = new MailRelay(
    db,
    options.smtp ? smtpTransport(options.smtp.url, options.smtp.from) : logTransport(logger),
    logger,
  );
  const verifier = new ApiKeyVerifier(db, { cacheTtlMs: options.apiKeyCacheTtlMs, logger });

  const allowPrivate = options.webhooks?.allowPrivate ?? false;
  const secretKey = options.secretKey ?? randomBytes(32);
  const secrets = new SecretBox(secretKey);
  const publicUrl = options.publicUrl ?? 'http://localhost:3000';
  const scopesForApps = oauthScopes(registry);
  const people = createPeopleAuth(db, {
    publicUrl,
    secretKey,
    logger,
    sessionCache: { forget: (kind, id) => sessions.forget(kind, id) },
    oauth: { scopes: scopesForApps, secrets },
  });
  const sessions = new SessionVerifier(db, people, registry, { cacheTtlMs: options.apiKeyCacheTtlMs, logger });
  const oauthTokens = new OAuthTokenVerifier(db, registry, { cacheTtlMs: options.apiKeyCacheTtlMs, logger });
  const webhooks = new WebhookDispatcher(db, {
    ...options.webhooks,
    allowPrivate,
    secrets,
    logger,
    quota: deliveryQuota,
  });
  const runtime: Runtime = {
    db,
    registry,
    secrets,
    publicUrl,
    services: {
      apiKeys: verifier,
      sessions,
      oauthTokens,
      files: options.files ?? localDiskStorage(join(tmpdir(), `fieldline-files-${randomBytes(6).toString('hex')}`)),
      webhooks: {
        allowPrivate,
        secrets,
        deliverNow: (eventId, endpointId) => webhooks.deliverNow(eventId, endpointId),
        wake: () => webhooks.wake(),
      },
    },
  };
  const campaigns = new CampaignSender(runtime, logger);
  runtime.services.campaigns = campaigns;
  const routes = resourceRoutes(runtime, registry);
  const eventStreams = new EventStreamHub(db, logger);
  const inboundRetention = new InboundLogRetention(db, logger, options.requestLogRetentionDays);
  const corsOrigins = new AllowedOriginsDirectory(db);
  const registryEndpoints = [...resourceEndpoints(runtime, registry), searchEndpoint(runtime, registry)];
  const endpoints: EndpointSpec[] = [
    ...registryEndpoints,
    ...accountEndpoints(db, (accountId) => {
      verifier.forgetAccount(accountId);
      sessions.forget('account', accountId);
      oauthTokens.forget('account', accountId);
      corsOrigins.invalidate();
    }),
    ...sessionEndpoints({ runtime, auth: people, rateLimiter, sessions }),
    eventStreamEndpoint(eventStreams, registry),
    ...oauthClientEndpoints({
      db,
      secrets,
      oauthTokens,
      scopes: scopesForApps,
      originsChanged: () => corsOrigins.invalidate(),
    }),
    ...connectedAppEndpoints(db, oauthTokens),
    rateLimitEndpoint(rateLimiter, { requests: quota, webhookDeliveries: deliveryQuota }),
    echoEndpoint,
    usageEndpoint(db),
    errorsEndpoint(db),
  ];
  const openapi = buildOpenApiDocument(registry, routes, endpoints);
  openapi.paths[INBOUND_PATH] = { post: inboundOperation() };
  documentOAuth(openapi, scopesForApps);
  Object.assign(openapi, { 'x-fieldline-roles': roleCatalogue(registry) });
  openapi.tags.push({
    name: 'Inbound',
    description: 'Signed events from providers (Stripe, voice agents) into the account.',
  });
  const app = new Hono();

  app.use(responseBasics({ trustProxy }));
  app.use(cors({ directory: corsOrigins, portalOrigins: options.portalOrigins ?? [] }));
  app.onError(problemHandler(logger));
  app.notFound(notFoundHandler);

  mountDocs(app, openapi);
  mountPortal(app, options.portalDir);
  if (options.metricsToken) mountMetrics(app, metrics, options.metricsToken);
  mountApiInfo(app, db);
  const trafficControl = options.trafficControl ?? true;
  if (trafficControl) {
    // One middleware on every path (no pattern of its own for the router to walk per request); it records API calls only.
    app.use(
      requestTelemetry({
        metrics,
        writer,
        trustProxy,
        records: (path) => path.startsWith('/v1/') || path === '/v1' || path === MCP_PATH,
      }),
    );
  }
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_BODY_LIMIT;
  mountOAuthRoutes(app, {
    db,
    auth: people,
    sessions,
    oauthTokens,
    publicUrl,
    rateLimiter,
    metrics,
    trustProxy,
    enforceLimits: trafficControl,
    maxBodyBytes,
    resources: [`${publicUrl}${MCP_PATH}`],
  });
  mountInboundRoute(app, { db, runtime, rateLimiter, metrics, trustProxy, maxBodyBytes });
  const gateServices = {
    verifier,
    sessions,
    oauthTokens,
    rateLimiter,
    quota,
    metrics,
    trustProxy,
    enforceLimits: trafficControl,
  };
  mountRoutes(app, routes, endpoints, { ...gateServices, db, logger, secrets, maxBodyBytes });
  let tools: readonly McpTool[] | undefined;
  const agentTools = () => (tools ??= mcpTools(openapi, { routes, endpoints: registryEndpoints }));
  mountMcp(app, {
    ...gateServices,
    tools: agentTools,
    openapi,
    publicUrl,
    oauthScopes: scopesForApps,
    maxBodyBytes,
    logger,
    db,
    secrets,
  });

  return {
    app,
    routes,
    endpoints,
    openapi,
    metrics,
    /** The MCP server's tools (built on first use). */
    agentTools,
    inboundRetention,
    files: runtime.services.files!,
    /** What operations run with (tests build background workers on it). */
    runtime,
    /** Routes for providers rather than API clients (no credential; their signature authenticates). */
    receivers: [{ method: 'post' as const, path: INBOUND_PATH }],
    requestLogs: writer,
    quota,
    deliveryQuota,
    rateLimiter,
    alerts,
    mail,
    campaigns,
    webhooks,
    eventStreams,
    /** Starts the background work: log and usage flushes, alert evaluation, mail relay, campaign sending. */
    start() {
      writer.start();
      quota.start();
      deliveryQuota.start();
      alerts.start();
      mail.start();
      campaigns.start();
      void webhooks.start();
      void eventStreams.start();
      inboundRetention.start();
      void verifier.start();
      void sessions.start();
      void oauthTokens.start();
    },
    /** Writes what is still queued; call before closing the database. */
    async stop() {
      inboundRetention.stop();
      // The delivery workers finish their round first, so the quota's last flush counts every delivery.
      await webhooks.stop();
      await Promise.all([
        writer.stop(),
        quota.stop(),
        deliveryQuota.stop(),
        alerts.stop(),
        mail.stop(),
        campaigns.stop(),
        eventStreams.stop(),
        verifier.stop(),
        sessions.stop(),
        oauthTokens.stop(),
      ]);
    },
  };
}
