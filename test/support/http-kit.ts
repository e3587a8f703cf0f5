// What the HTTP layer's own tests run middleware on: a Hono app with the problem handler and
// request id, and a runtime holding only the services the layer asks for (credentials and
// traffic control), played by small implementations that record what they were asked. The
// database and the registry are not there: a middleware that reached for them would fail loudly.
import { randomBytes } from 'node:crypto';
import { Hono, type Context, type MiddlewareHandler, type Next } from 'hono';
import { pino } from 'pino';
import { Registry as MetricsRegistry } from 'prom-client';
import type { Database } from '../../src/db/database.ts';
import type { Registry, Runtime, RuntimeOptions } from '../../src/platform/contract.ts';
import type { ServiceKey } from '../../src/platform/api/service-key.ts';
import type { SessionIdentity } from '../../src/platform/api/operation.ts';
import { trafficControl, type TrafficControl } from '../../src/platform/api/traffic-control.ts';
import type { RateBucket } from '../../src/platform/api/traffic.ts';
import type { Principal } from '../../src/platform/operations/principal.ts';
import { ApiError } from '../../src/platform/errors.ts';
import { SecretBox } from '../../src/platform/secret-box.ts';
import { credentials, type Credentials } from '../../src/http/http-services.ts';
import { notFoundHandler, problemHandler } from '../../src/http/problem.ts';
import { responseBasics } from '../../src/http/response-basics.ts';
import { PLAN_FEATURES } from '../../src/platform/api/traffic.ts';

export const principalWith = (scopes: string[], extra: Partial<Principal> = {}): Principal => {
  const rate = { limit: 100, windowSeconds: 60 };
  const plan = {
    name: 'test',
    features: PLAN_FEATURES,
    rates: { read: rate, write: rate, expensive: rate },
    monthlyRequests: 1,
    monthlyWebhookDeliveries: 1,
    monthlyAutomationRuns: 1,
    monthlyAiTokens: 1,
  };
  return {
    accountId: 'acct_test',
    scopes: new Set(scopes),
    plan,
    rates: plan.rates,
    allowedOrigins: new Set(),
    ...extra,
  };
};

export interface KitOptions {
  /** Bearer token -> who it is. */
  tokens?: Record<string, { principal: Principal | null; session?: SessionIdentity }>;
  /** Buckets over their limit: a charge there is refused with 429. */
  exhausted?: RateBucket[];
  trafficControl?: boolean;
  maxBodyBytes?: number;
}

/** What the runtime's services were asked, in order. */
export interface Ledger {
  charged: string[];
  addresses: (string | null)[];
  failedAuthentications: number;
}

export function httpKit(options: KitOptions = {}) {
  const ledger: Ledger = { charged: [], addresses: [], failedAuthentications: 0 };
  const known: Credentials = {
    sessionCookie: (header) => /(?:^|;\s*)session=([^;]+)/.exec(header ?? '')?.[1] ?? null,
    async identify({ bearer, cookie }) {
      return options.tokens?.[bearer ?? cookie ?? ''] ?? null;
    },
  };
  const limits: TrafficControl = {
    async charge(principal, bucket) {
      ledger.charged.push(`${principal.accountId}:${bucket}`);
      if (options.exhausted?.includes(bucket)) throw new ApiError('rate_limited', `Too many ${bucket} requests`);
    },
    async chargeAddress(ip) {
      ledger.addresses.push(ip);
    },
    async countFailedAuthentication() {
      ledger.failedAuthentications++;
    },
  };
  const services = new Map<ServiceKey<unknown>, unknown>([
    [credentials, known],
    [trafficControl, limits],
  ]);
  const runtimeOptions: RuntimeOptions = {
    publicUrl: 'http://localhost:3000',
    maxBodyBytes: options.maxBodyBytes ?? 1024,
    trustProxy: false,
    trafficControl: options.trafficControl ?? true,
  };
  const find = <T>(key: ServiceKey<T>) => services.get(key) as T | undefined;
  const runtime: Runtime = {
    get db(): Database {
      throw new Error('the HTTP layer under test does not reach the database');
    },
    get registry(): Registry {
      throw new Error('the HTTP layer under test does not reach the registry');
    },
    secrets: new SecretBox(randomBytes(32)),
    logger: pino({ level: 'silent' }),
    metrics: new MetricsRegistry(),
    options: runtimeOptions,
    find,
    use<T>(key: ServiceKey<T>): T {
      const service = find(key);
      if (service === undefined) throw new Error(`not in this kit: ${key.name}`);
      return service;
    },
  };
  return { runtime, ledger };
}

/** A middleware, or the handler that ends the chain. */
type Step = (c: Context, next: Next) => Response | Promise<Response | void>;

/** A Hono app with the request id and problem details every real app has, and `steps` on `path`. */
export function appWith(path: string, ...steps: Step[]): Hono {
  const app = new Hono();
  app.use(responseBasics({ trustProxy: false }));
  app.onError(problemHandler(pino({ level: 'silent' })));
  app.notFound(notFoundHandler);
  // Hono's overloads type each arity apart; every step here is a middleware or the final handler.
  if (steps.length) app.on(['GET', 'POST', 'PATCH', 'DELETE'], [path], ...(steps as MiddlewareHandler[]));
  return app;
}

/** A request's answer, its body parsed when it is JSON. */
export async function send(app: Hono, path: string, init: RequestInit = {}) {
  const response = await app.request(path, init);
  const text = await response.text();
  const body = /json/.test(response.headers.get('content-type') ?? '') ? JSON.parse(text) : text;
  return { status: response.status, headers: response.headers, body, text };
}
