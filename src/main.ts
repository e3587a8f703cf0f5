// The composition root: the modules of Fieldline, listed once. The server, the CLI, the
// generators and the tests all build the API from this list (buildApi: no database), and run it
// with createFieldline: the runtime's services on a database, and the HTTP app over both.
import type { Logger } from 'pino';
import type { Database } from './db/database.ts';
import { createHttpApp, type HttpOptions } from './http/create-http-app.ts';
import { buildApi, type Api } from './platform/api/build-api.ts';
import { createRuntime, type RunningRuntime } from './platform/api/create-runtime.ts';
import type { FeatureModule } from './platform/api/module.ts';
import type { SecretBox } from './platform/secret-box.ts';
import { coreModule } from './platform/core-module.ts';
import { crmModule } from './domain/crm-module.ts';
import { authModule } from './auth/auth-module.ts';
import { limitsModule } from './limits/limits-module.ts';
import { billingModule } from './billing/billing-module.ts';
import { analyticsModule } from './analytics/analytics-module.ts';
import { mailModule } from './mail/mail-module.ts';
import { messagingModule } from './messaging/messaging-module.ts';
import { storageModule } from './storage/storage-module.ts';
import { deliveryModule } from './delivery/delivery-module.ts';
import { onlinePaymentsModule } from './online-payments/online-payments-module.ts';
import { businessAnalyticsModule } from './business-analytics/business-analytics-module.ts';
import { customerPortalModule } from './customer-portal/customer-portal-module.ts';
import { automationModule } from './automation/automation-module.ts';
import { reportsModule } from './reports/reports-module.ts';
import { webhooksModule } from './webhooks/webhooks-module.ts';
import { realtimeModule } from './realtime/realtime-module.ts';
import { inboundModule } from './inbound/inbound-module.ts';
import { aiModule } from './ai/ai-module.ts';
import { integrationsModule } from './integrations/integrations-module.ts';
import { messageAttachmentsModule } from './integrations/message-attachments-module.ts';
import { calendarFeedsModule } from './calendar-feeds/calendar-feeds-module.ts';
import { restHooksModule } from './rest-hooks/rest-hooks-module.ts';
import { creditsModule } from './credits/credits-module.ts';
import { sandboxModule } from './sandbox/sandbox-module.ts';
import { platformAdminModule } from './platform-admin/platform-admin-module.ts';
import { MCP_PATH, mcpModule } from './mcp/mcp-module.ts';
import { voiceModule } from './voice/voice-module.ts';
import { accountExportModule } from './account-export/account-export-module.ts';
import { auditModule } from './audit/audit-module.ts';
import type { RuntimeOptions, ResourceDefinition } from './platform/contract.ts';

let standard: Api | undefined;

/**
 * Fieldline's API, built once (pure: no database). Its modules are listed in the order the
 * reference documents their resources, the CRM first; services do not depend on this order (each
 * is made after those it uses). `extra` resources join the CRM's, as a new declaration would
 * (tests prove what one gets).
 */
export function fieldlineApi(extra: readonly ResourceDefinition[] = []): Api {
  if (!extra.length && standard) return standard;
  let api: Api | undefined;
  const modules: FeatureModule[] = [
    extra.length ? { ...crmModule, resources: [...(crmModule.resources ?? []), ...extra] } : crmModule,
    coreModule,
    analyticsModule,
    webhooksModule,
    inboundModule,
    authModule,
    limitsModule,
    billingModule,
    mailModule,
    messagingModule,
    deliveryModule,
    onlinePaymentsModule,
    businessAnalyticsModule,
    customerPortalModule,
    automationModule,
    reportsModule,
    storageModule,
    realtimeModule,
    aiModule,
    integrationsModule,
    messageAttachmentsModule,
    calendarFeedsModule,
    restHooksModule,
    creditsModule,
    accountExportModule,
    auditModule,
    sandboxModule,
    platformAdminModule,
    // Voice commands and the MCP server run the tools of the API they are part of.
    voiceModule(() => api!),
    mcpModule(() => api!),
  ];
  api = buildApi(modules);
  if (!extra.length) standard = api;
  return api;
}

export interface FieldlineParts {
  db: Database;
  secrets: SecretBox;
  logger: Logger;
  /** Defaults: max body 1 MiB, no proxy, traffic control on. */
  options: Partial<RuntimeOptions> & Pick<RuntimeOptions, 'publicUrl'>;
  http?: HttpOptions;
  /** Another composition (a test's extra resources); default Fieldline's own. */
  api?: Api;
}

export interface Fieldline {
  api: Api;
  runtime: RunningRuntime;
  app: ReturnType<typeof createHttpApp>;
}

/** The API running on a database: its services made (not yet started) and its HTTP app. */
export function createFieldline({
  db,
  secrets,
  logger,
  options,
  http,
  api = fieldlineApi(),
}: FieldlineParts): Fieldline {
  const runtime = createRuntime(api, {
    db,
    secrets,
    logger,
    options: {
      maxBodyBytes: 1024 * 1024,
      trustProxy: false,
      trafficControl: true,
      // Tokens may be asked for the MCP server (RFC 8707), the one protected resource besides the API.
      oauthResources: [`${options.publicUrl}${MCP_PATH}`],
      ...options,
    },
  });
  return { api, runtime, app: createHttpApp(api, runtime, http) };
}
