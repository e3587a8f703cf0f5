// A real app on a real database for tests: in-memory PGlite by default, the PostgreSQL of
// DATABASE_URL when set (CI). Each test makes its own accounts, so suites can share a database.
import { pino } from 'pino';
import type { Hono } from 'hono';
import { connectPglite } from '../../src/db/connect-pglite.ts';
import { connectPostgres } from '../../src/db/connect-postgres.ts';
import type { Database } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { systemTransaction } from '../../src/db/system-query.ts';
import { createRegistry } from '../../src/domain/registry.ts';
import { Registry } from '../../src/platform/registry.ts';
import type { ResourceDefinition } from '../../src/platform/resource/define-resource.ts';
import { createAccount } from '../../src/auth/accounts.ts';
import { prepareApiKey } from '../../src/auth/api-keys.ts';
import { createApp, type AppOptions } from '../../src/http/app.ts';
import type { PlanName } from '../../src/limits/plans.ts';
import type { RateLimitOverrides } from '../../src/limits/plans.ts';
import type { RouteSpec } from '../../src/platform/routes/route-spec.ts';

export interface CallOptions {
  key?: string;
  body?: unknown;
  /** Sent as is, instead of JSON-encoding `body`. */
  rawBody?: string | Uint8Array;
  headers?: Record<string, string>;
}

export interface CallResult {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

export interface TestAccount {
  id: string;
  key: string;
}

export interface TestContext {
  db: Database;
  registry: Registry;
  app: Hono;
  routes: RouteSpec[];
  openapi: Record<string, any>;
  call(method: string, path: string, options?: CallOptions): Promise<CallResult>;
  newAccount(name?: string, options?: { plan?: PlanName }): Promise<TestAccount>;
  /** An extra key for `accountId` holding only `scopes` (and optionally its own rate limits). */
  newKey(accountId: string, scopes: string[], rateLimits?: RateLimitOverrides): Promise<string>;
  /** The app's services: rate limiter, quota, request log writer, metrics. */
  services: ReturnType<typeof createApp>;
  close(): Promise<void>;
}

export type TestContextOptions = Omit<AppOptions, 'db' | 'registry' | 'logger'> & {
  /** Resources declared by the test, registered after the domain's (to prove what a new declaration gets). */
  extraResources?: ResourceDefinition[];
};

export async function createTestContext({
  extraResources = [],
  ...options
}: TestContextOptions = {}): Promise<TestContext> {
  const url = process.env.DATABASE_URL;
  const db = url ? await connectPostgres(url, 4) : await connectPglite();
  const registry = extraResources.length
    ? new Registry([...createRegistry().resources, ...extraResources])
    : createRegistry();
  await migrate(db, registry);
  // Webhook receivers in tests listen on 127.0.0.1.
  const webhooks = { allowPrivate: true, ...options.webhooks };
  const services = createApp({
    ...options,
    webhooks,
    db,
    registry,
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
  });
  const { app, routes, openapi } = services;

  async function call(
    method: string,
    path: string,
    { key, body, rawBody, headers = {} }: CallOptions = {},
  ): Promise<CallResult> {
    const init: RequestInit = { method, headers: { ...headers } };
    if (key) (init.headers as Record<string, string>).authorization = `Bearer ${key}`;
    if (rawBody !== undefined) init.body = rawBody as BodyInit;
    else if (body !== undefined) {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
    }
    const response = await app.request(path, init);
    const text = await response.text();
    let parsed: unknown = text;
    if (/json/.test(response.headers.get('content-type') ?? '')) parsed = JSON.parse(text);
    return { status: response.status, headers: response.headers, body: parsed, text };
  }

  return {
    db,
    registry,
    app,
    routes,
    openapi: openapi as Record<string, any>,
    call,
    services,
    async newAccount(name = 'Test Co', options = {}) {
      const created = await createAccount(db, { name, plan: options.plan });
      return { id: created.account.id, key: created.api_key };
    },
    async newKey(accountId, scopes, rateLimits) {
      const key = prepareApiKey({ accountId, name: 'test key', mode: 'test', scopes, rateLimits });
      await systemTransaction(db, key.statements);
      return key.secret;
    },
    async close() {
      await services.stop();
      await db.close();
    },
  };
}
