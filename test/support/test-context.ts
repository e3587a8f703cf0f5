// A real Fieldline on a real database for tests: a copy of a migrated in-memory PGlite by
// default, the PostgreSQL of DATABASE_URL when set (CI). Each test makes its own accounts, so
// suites can share a database.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import type { Hono } from 'hono';
import type { Database } from '../../src/db/database.ts';
import { systemTransaction } from '../../src/db/system-query.ts';
import type { Api } from '../../src/platform/api/build-api.ts';
import type { RunningRuntime } from '../../src/platform/api/create-runtime.ts';
import type { HttpOptions } from '../../src/http/create-http-app.ts';
import { SecretBox } from '../../src/platform/secret-box.ts';
import { createAccount } from '../../src/auth/accounts.ts';
import { prepareApiKey } from '../../src/auth/api-keys.ts';
import type { PlanName, RateLimitOverrides } from '../../src/limits/plans.ts';
import { createFieldline, fieldlineApi } from '../../src/main.ts';
import { testDatabase } from './test-database.ts';
import type { Registry, ResourceDefinition, RuntimeOptions } from '../../src/platform/contract.ts';

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
  api: Api;
  registry: Registry;
  /** The running services (`runtime.use(requestLogWriter)`); started only when a test starts them. */
  runtime: RunningRuntime;
  app: Hono;
  openapi: Record<string, any>;
  call(method: string, path: string, options?: CallOptions): Promise<CallResult>;
  newAccount(name?: string, options?: { plan?: PlanName }): Promise<TestAccount>;
  /** An extra key for `accountId` holding only `scopes` (and optionally its own rate limits). */
  newKey(accountId: string, scopes: string[], rateLimits?: RateLimitOverrides): Promise<string>;
  close(): Promise<void>;
}

export type TestContextOptions = Partial<RuntimeOptions> &
  HttpOptions & {
    /** Resources declared by the test, registered after the CRM's (to prove what a new declaration gets). */
    extraResources?: ResourceDefinition[];
    /** The key that seals stored secrets; default a random one. */
    secretKey?: Buffer;
    /** Wraps the test database before the app gets it (a failing one: support/dying-database.ts). */
    wrapDatabase?: (db: Database) => Database;
  };

/**
 * One account's client, as most suites use it: `call('POST', '/v1/jobs', body)` with that account's
 * key (or another), and `created('jobs', body)`, which asserts the 201 and returns the row. Both
 * read the suite's context and account when called, so suites set them in `before`/`beforeEach`.
 */
export function accountClient(ctx: () => TestContext, account: () => TestAccount) {
  const call = (method: string, path: string, body?: unknown, key = account().key) =>
    ctx().call(method, path, { key, body });
  const created = async (collection: string, body: Record<string, unknown>, key = account().key) => {
    const response = await call('POST', `/v1/${collection}`, body, key);
    assert.equal(response.status, 201, response.text);
    return response.body.data as Record<string, any>;
  };
  return { call, created };
}

export async function createTestContext({
  extraResources = [],
  secretKey,
  portalDir,
  portalOrigins,
  metricsToken,
  wrapDatabase = (db) => db,
  ...options
}: TestContextOptions = {}): Promise<TestContext> {
  const api = fieldlineApi(extraResources);
  const db = wrapDatabase(await testDatabase(api.schema, { own: extraResources.length > 0 }));
  const { runtime, app } = createFieldline({
    api,
    db,
    secrets: new SecretBox(secretKey ?? randomBytes(32)),
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    // Webhook receivers in tests listen on 127.0.0.1.
    options: { publicUrl: 'http://localhost:3000', ...options, webhooks: { allowPrivate: true, ...options.webhooks } },
    http: { portalDir, portalOrigins, metricsToken },
  });

  async function call(method: string, path: string, { key, body, rawBody, headers = {} }: CallOptions = {}) {
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
    api,
    registry: api.registry,
    runtime,
    app,
    openapi: api.document() as Record<string, any>,
    call,
    async newAccount(name = 'Test Co', options = {}) {
      const created = await createAccount(db, { name, plan: options.plan, mode: 'live' });
      return { id: created.account.id, key: created.api_key };
    },
    async newKey(accountId, scopes, rateLimits) {
      const key = prepareApiKey({ accountId, name: 'test key', mode: 'live', scopes, rateLimits });
      await systemTransaction(db, key.statements);
      return key.secret;
    },
    async close() {
      await runtime.stop();
      await db.close();
    },
  };
}
