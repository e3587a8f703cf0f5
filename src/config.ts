// Configuration from the environment, validated once at start.
import { z } from 'zod';
import { stripeApiFromUrl, type StripeApiSettings } from './online-payments/stripe-api.ts';
import { creditSettingsFromEnv } from './credits/credit-config.ts';
import { billingSettingsFromEnv } from './billing/billing-config.ts';
import type { StripeBillingSettings } from './billing/stripe-billing-settings.ts';
import type { CreditSettings } from './credits/credit-costs.ts';
import { GOOGLE_DEFAULT_URLS, type IntegrationSettings } from './integrations/integration-settings.ts';
import { MICROSOFT_DEFAULTS } from './integrations/microsoft/microsoft-settings.ts';
import { DEFAULT_QUICKBOOKS_SETTINGS as QBO } from './integrations/quickbooks/qbo-settings.ts';

const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  // Loopback by default: a development server is not reachable from the network until asked.
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .url()
    .optional()
    .or(z.literal('').transform(() => undefined)),
  // The server itself when DATABASE_URL goes through a transaction-pooling PgBouncer: LISTEN.
  DATABASE_DIRECT_URL: z
    .string()
    .url()
    .optional()
    .or(z.literal('').transform(() => undefined)),
  DATABASE_REPLICA_URL: z
    .string()
    .url()
    .optional()
    .or(z.literal('').transform(() => undefined)),
  FIELDLINE_REPLICA_STICKY_SECONDS: z.coerce.number().min(1).max(300).default(5),
  FIELDLINE_DATA_DIR: z.string().default('./.fieldline'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  FIELDLINE_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  FIELDLINE_DB_POOL_SIZE: z.coerce.number().int().positive().default(20),
  REDIS_URL: z
    .string()
    .url()
    .optional()
    .or(z.literal('').transform(() => undefined)),
  FIELDLINE_RATE_LIMIT_STORE: z.enum(['memory', 'redis']).optional(),
  FIELDLINE_TRUST_PROXY: z
    .enum(['0', '1', 'true', 'false'])
    .default('0')
    .transform((v) => v === '1' || v === 'true'),
  FIELDLINE_PORTAL_ORIGINS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    ),
  FIELDLINE_REQUEST_LOG_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  FIELDLINE_AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(365),
  FIELDLINE_ACCOUNT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  FIELDLINE_METRICS_TOKEN: z.string().min(16).optional(),
  FIELDLINE_ADMIN_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  FIELDLINE_ADMIN_HOST: z.string().default('127.0.0.1'),
  FIELDLINE_ALERT_INTERVAL_SECONDS: z.coerce.number().int().min(5).max(3600).default(60),
  FIELDLINE_DUNNING_INTERVAL_SECONDS: z.coerce.number().int().min(5).max(86_400).default(600),
  FIELDLINE_SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().min(1).max(3600).default(25),
  FIELDLINE_SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'expected smtp:// or smtps://')
    .optional(),
  FIELDLINE_MAIL_FROM: z.string().min(3).default('Fieldline <no-reply@fieldline.localhost>'),
  FIELDLINE_SMS_URL: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe("An SMS provider speaking Twilio's Messages API, e.g. https://api.twilio.com"),
  FIELDLINE_SMS_ACCOUNT_SID: z.string().min(1).max(64).optional(),
  FIELDLINE_SMS_AUTH_TOKEN: z.string().min(8).max(256).optional(),
  FIELDLINE_SMS_FROM: z.string().min(3).max(64).optional(),
  FIELDLINE_STRIPE_URL: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe("Stripe's API, https://api.stripe.com unless given (a local stand-in for development)"),
  FIELDLINE_GOOGLE_CLIENT_ID: z.string().min(1).max(500).optional().describe('Google OAuth client (Gmail)'),
  FIELDLINE_GOOGLE_CLIENT_SECRET: z.string().min(1).max(500).optional(),
  FIELDLINE_GOOGLE_ACCOUNTS_URL: z.url({ protocol: /^https?$/ }).default(GOOGLE_DEFAULT_URLS.accountsUrl),
  FIELDLINE_GOOGLE_OAUTH_URL: z.url({ protocol: /^https?$/ }).default(GOOGLE_DEFAULT_URLS.oauthUrl),
  FIELDLINE_GOOGLE_API_URL: z.url({ protocol: /^https?$/ }).default(GOOGLE_DEFAULT_URLS.apiUrl),
  FIELDLINE_GOOGLE_CALENDAR_URL: z.url({ protocol: /^https?$/ }).default(GOOGLE_DEFAULT_URLS.calendarUrl),
  FIELDLINE_MICROSOFT_CLIENT_ID: z.string().min(1).max(500).optional().describe('Microsoft identity platform app'),
  FIELDLINE_MICROSOFT_CLIENT_SECRET: z.string().min(1).max(500).optional(),
  FIELDLINE_MICROSOFT_TENANT: z
    .string()
    .regex(/^[A-Za-z0-9.-]{1,100}$/, 'expected common, organizations, consumers, a tenant id or domain')
    .default(MICROSOFT_DEFAULTS.tenant),
  FIELDLINE_MICROSOFT_LOGIN_URL: z.url({ protocol: /^https?$/ }).default(MICROSOFT_DEFAULTS.loginUrl),
  FIELDLINE_MICROSOFT_GRAPH_URL: z.url({ protocol: /^https?$/ }).default(MICROSOFT_DEFAULTS.graphUrl),
  FIELDLINE_QUICKBOOKS_CLIENT_ID: z.string().min(1).max(500).optional().describe('Intuit app (QuickBooks Online)'),
  FIELDLINE_QUICKBOOKS_CLIENT_SECRET: z.string().min(1).max(500).optional(),
  FIELDLINE_QUICKBOOKS_OAUTH_URL: z.url({ protocol: /^https?$/ }).default(QBO.oauthUrl),
  FIELDLINE_QUICKBOOKS_AUTHORIZE_URL: z.url({ protocol: /^https?$/ }).default(QBO.authorizeUrl),
  FIELDLINE_QUICKBOOKS_API_URL: z.url({ protocol: /^https?$/ }).default(QBO.apiUrl),
  FIELDLINE_INTEGRATION_SYNC_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
  FIELDLINE_VAPID_PUBLIC_KEY: z
    .string()
    .regex(/^[A-Za-z0-9_-]{87}$/, 'expected a base64url P-256 public key (npx web-push generate-vapid-keys)')
    .optional(),
  FIELDLINE_VAPID_PRIVATE_KEY: z
    .string()
    .regex(/^[A-Za-z0-9_-]{43}$/, 'expected a base64url P-256 private key (npx web-push generate-vapid-keys)')
    .optional(),
  FIELDLINE_VAPID_SUBJECT: z
    .string()
    .regex(/^(https:\/\/|mailto:)\S+$/, 'expected an https: or mailto: URL')
    .optional(),
  FIELDLINE_WEBHOOK_ALLOW_PRIVATE: z
    .enum(['0', '1', 'true', 'false'])
    .default('0')
    .transform((v) => v === '1' || v === 'true'),
  FIELDLINE_PUBLIC_URL: z
    .url({ protocol: /^https?$/ })
    .transform((v) => v.replace(/\/+$/, ''))
    .optional(),
  FIELDLINE_SECRET_KEY: z
    .string()
    .refine(
      (v) => /^[0-9a-f]{64}$/i.test(v) || Buffer.from(v, 'base64').length === 32,
      '32 bytes, base64 or hex encoded',
    )
    .optional(),
});

export interface Config {
  port: number;
  host: string;
  databaseUrl?: string;
  /** The server without a transaction-pooling PgBouncer between, for the LISTEN session. */
  databaseDirectUrl?: string;
  /** A streaming replica for list, export, search and analytics reads (src/db/read-replica.ts). */
  databaseReplicaUrl?: string;
  /** How long a caller's reads stay on the primary after it wrote. */
  replicaStickyMs: number;
  dataDir: string;
  logLevel: z.infer<typeof ConfigSchema>['LOG_LEVEL'];
  maxBodyBytes: number;
  dbPoolSize: number;
  /** Set when rate limits are shared through Redis. */
  redisUrl?: string;
  trustProxy: boolean;
  portalOrigins: string[];
  requestLogRetentionDays: number;
  auditRetentionDays: number;
  /** Days a closed account's data is kept before it is deleted. */
  accountRetentionDays: number;
  metricsToken?: string;
  /** A second listener serving only /metrics, without a token. */
  admin?: { port: number; host: string };
  alertIntervalMs: number;
  /** How often overdue invoices are swept. */
  dunningIntervalMs: number;
  /** How long SIGTERM waits for requests in flight and workers' batches (Docker stops after 30 s). */
  shutdownTimeoutMs: number;
  /** Absent: mail is written to the log (development). */
  smtpUrl?: string;
  mailFrom: string;
  /** Absent: texts wait in the SMS outbox (`not_configured`). */
  sms?: { url: string; accountSid: string; authToken: string; from: string };
  /** Where Stripe's API is (card payments); absent: Stripe's own. */
  stripe?: StripeApiSettings;
  /** Prepaid credits: costs, price, the Stripe account taking top-ups (src/credits/credit-config.ts). */
  credits: Partial<CreditSettings>;
  /** Fieldline billing its accounts through Stripe Billing (src/billing/billing-config.ts); absent: not charged. */
  stripeBilling?: StripeBillingSettings;
  /** Integrations' OAuth clients and provider URLs (FIELDLINE_GOOGLE_...). */
  integrations: IntegrationSettings;
  /** The VAPID identity of pushes; keys absent: made once and kept in the database. */
  push: { publicKey?: string; privateKey?: string; subject?: string };
  /** Webhook endpoints may be http:// and on private networks (never link-local/metadata). */
  webhookAllowPrivate: boolean;
  /** Encrypts stored secrets (32 bytes, base64 or hex); absent: a key kept in the data folder. */
  secretKey?: string;
  /** Where clients reach the server (links in mails, OAuth issuer); default http://localhost:PORT. */
  publicUrl: string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  const c = parsed.data;
  const smsSettings = [
    c.FIELDLINE_SMS_URL,
    c.FIELDLINE_SMS_ACCOUNT_SID,
    c.FIELDLINE_SMS_AUTH_TOKEN,
    c.FIELDLINE_SMS_FROM,
  ];
  if (smsSettings.some(Boolean) && !smsSettings.every(Boolean))
    throw new Error(
      'Invalid configuration: an SMS provider needs FIELDLINE_SMS_URL, FIELDLINE_SMS_ACCOUNT_SID, ' +
        'FIELDLINE_SMS_AUTH_TOKEN and FIELDLINE_SMS_FROM together',
    );
  if (!c.FIELDLINE_VAPID_PUBLIC_KEY !== !c.FIELDLINE_VAPID_PRIVATE_KEY)
    throw new Error('Invalid configuration: FIELDLINE_VAPID_PUBLIC_KEY and FIELDLINE_VAPID_PRIVATE_KEY go together');
  if (c.DATABASE_REPLICA_URL && !c.DATABASE_URL)
    throw new Error('Invalid configuration: DATABASE_REPLICA_URL needs DATABASE_URL (the primary it replicates)');
  if (c.FIELDLINE_RATE_LIMIT_STORE === 'redis' && !c.REDIS_URL)
    throw new Error('Invalid configuration: FIELDLINE_RATE_LIMIT_STORE=redis needs REDIS_URL');
  return {
    port: c.PORT,
    host: c.HOST,
    databaseUrl: c.DATABASE_URL,
    databaseDirectUrl: c.DATABASE_DIRECT_URL,
    databaseReplicaUrl: c.DATABASE_REPLICA_URL,
    replicaStickyMs: c.FIELDLINE_REPLICA_STICKY_SECONDS * 1000,
    dataDir: c.FIELDLINE_DATA_DIR,
    logLevel: c.LOG_LEVEL,
    maxBodyBytes: c.FIELDLINE_MAX_BODY_BYTES,
    dbPoolSize: c.FIELDLINE_DB_POOL_SIZE,
    // Redis is used for rate limits when REDIS_URL is set, unless FIELDLINE_RATE_LIMIT_STORE=memory.
    redisUrl: c.FIELDLINE_RATE_LIMIT_STORE === 'memory' ? undefined : c.REDIS_URL,
    trustProxy: c.FIELDLINE_TRUST_PROXY,
    portalOrigins: c.FIELDLINE_PORTAL_ORIGINS,
    requestLogRetentionDays: c.FIELDLINE_REQUEST_LOG_RETENTION_DAYS,
    auditRetentionDays: c.FIELDLINE_AUDIT_RETENTION_DAYS,
    accountRetentionDays: c.FIELDLINE_ACCOUNT_RETENTION_DAYS,
    metricsToken: c.FIELDLINE_METRICS_TOKEN,
    admin:
      c.FIELDLINE_ADMIN_PORT !== undefined ? { port: c.FIELDLINE_ADMIN_PORT, host: c.FIELDLINE_ADMIN_HOST } : undefined,
    alertIntervalMs: c.FIELDLINE_ALERT_INTERVAL_SECONDS * 1000,
    dunningIntervalMs: c.FIELDLINE_DUNNING_INTERVAL_SECONDS * 1000,
    shutdownTimeoutMs: c.FIELDLINE_SHUTDOWN_TIMEOUT_SECONDS * 1000,
    smtpUrl: c.FIELDLINE_SMTP_URL,
    mailFrom: c.FIELDLINE_MAIL_FROM,
    sms: c.FIELDLINE_SMS_URL
      ? {
          url: c.FIELDLINE_SMS_URL,
          accountSid: c.FIELDLINE_SMS_ACCOUNT_SID!,
          authToken: c.FIELDLINE_SMS_AUTH_TOKEN!,
          from: c.FIELDLINE_SMS_FROM!,
        }
      : undefined,
    stripe: c.FIELDLINE_STRIPE_URL ? stripeApiFromUrl(c.FIELDLINE_STRIPE_URL) : undefined,
    credits: creditSettingsFromEnv(env),
    stripeBilling: billingSettingsFromEnv(env),
    integrations: {
      google:
        c.FIELDLINE_GOOGLE_CLIENT_ID && c.FIELDLINE_GOOGLE_CLIENT_SECRET
          ? {
              clientId: c.FIELDLINE_GOOGLE_CLIENT_ID,
              clientSecret: c.FIELDLINE_GOOGLE_CLIENT_SECRET,
              accountsUrl: c.FIELDLINE_GOOGLE_ACCOUNTS_URL,
              oauthUrl: c.FIELDLINE_GOOGLE_OAUTH_URL,
              apiUrl: c.FIELDLINE_GOOGLE_API_URL,
              calendarUrl: c.FIELDLINE_GOOGLE_CALENDAR_URL,
            }
          : undefined,
      microsoft:
        c.FIELDLINE_MICROSOFT_CLIENT_ID && c.FIELDLINE_MICROSOFT_CLIENT_SECRET
          ? {
              clientId: c.FIELDLINE_MICROSOFT_CLIENT_ID,
              clientSecret: c.FIELDLINE_MICROSOFT_CLIENT_SECRET,
              tenant: c.FIELDLINE_MICROSOFT_TENANT,
              loginUrl: c.FIELDLINE_MICROSOFT_LOGIN_URL,
              graphUrl: c.FIELDLINE_MICROSOFT_GRAPH_URL,
            }
          : undefined,
      quickbooks:
        c.FIELDLINE_QUICKBOOKS_CLIENT_ID && c.FIELDLINE_QUICKBOOKS_CLIENT_SECRET
          ? {
              clientId: c.FIELDLINE_QUICKBOOKS_CLIENT_ID,
              clientSecret: c.FIELDLINE_QUICKBOOKS_CLIENT_SECRET,
              oauthUrl: c.FIELDLINE_QUICKBOOKS_OAUTH_URL,
              authorizeUrl: c.FIELDLINE_QUICKBOOKS_AUTHORIZE_URL,
              apiUrl: c.FIELDLINE_QUICKBOOKS_API_URL,
            }
          : undefined,
      syncIntervalMs: c.FIELDLINE_INTEGRATION_SYNC_MINUTES * 60_000,
    },
    push: {
      publicKey: c.FIELDLINE_VAPID_PUBLIC_KEY,
      privateKey: c.FIELDLINE_VAPID_PRIVATE_KEY,
      subject: c.FIELDLINE_VAPID_SUBJECT,
    },
    webhookAllowPrivate: c.FIELDLINE_WEBHOOK_ALLOW_PRIVATE,
    secretKey: c.FIELDLINE_SECRET_KEY,
    publicUrl: c.FIELDLINE_PUBLIC_URL ?? `http://localhost:${c.PORT}`,
  };
}
