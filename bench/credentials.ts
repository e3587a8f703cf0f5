// GET by id with each kind of credential, in one run against one server on PostgreSQL: an API
// key, a session as `Authorization: Bearer`, the same kind of session as a cookie, and an OAuth
// access token (client credentials). All four are verified from the
// node's cache after the first request, so they should cost the same.
// Run: npm run bench:credentials   (env: BENCH_DATABASE_URL, BENCH_DURATION, BENCH_ROUNDS, BENCH_CONNECTIONS)
import autocannon from 'autocannon';
import { loadConfig } from '../src/config.ts';
import { startServer } from '../src/server.ts';
import { systemQuery } from '../src/db/system-query.ts';
import { createBenchDatabase } from './database.ts';

const env = process.env;
const adminUrl = env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const seconds = Number(env.BENCH_DURATION ?? 4);
const rounds = Number(env.BENCH_ROUNDS ?? 2);
const connections = Number(env.BENCH_CONNECTIONS ?? 10);

const database = await createBenchDatabase(adminUrl);
const server = await startServer(
  loadConfig({ PORT: '0', HOST: '127.0.0.1', DATABASE_URL: database.url, LOG_LEVEL: 'warn' }),
);
try {
  const base = `http://127.0.0.1:${server.port}`;
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(base + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  const email = `bench.${Date.now()}@example.test`;
  const signUp = await post('/v1/auth/sign-up', {
    name: 'Bench',
    email,
    password: 'bench password 123',
    account_name: 'Bench Co',
  });
  const signedUp = (await signUp.json()) as any;
  // Enterprise rates: room for the whole run, so the bench measures verification, not refusals.
  await systemQuery(server.db, {
    sql: 'UPDATE accounts SET plan = $2 WHERE id = $1',
    parameters: [signedUp.data.account.id, 'enterprise'],
  });
  const bearer = ((await (await post('/v1/auth/sign-in', { email, password: 'bench password 123' })).json()) as any)
    .data.token;
  const cookie = (await post('/v1/auth/sign-in', { email, password: 'bench password 123' })).headers
    .getSetCookie()[0]
    .split(';')[0];
  const keyResponse = await post('/v1/api-keys', { name: 'bench', scopes: ['read:*', 'write:*'] }, { cookie });
  const key = ((await keyResponse.json()) as any).data.secret;
  const customer = (
    (await (await post('/v1/customers', { name: 'Ada Bench' }, { authorization: `Bearer ${key}` })).json()) as any
  ).data;
  // An OAuth app of the account, by client credentials: its access token is verified like a key.
  const app = (
    (await (
      await post(
        '/v1/oauth/clients',
        { name: 'bench app', scopes: ['read:customers'], client_credentials: true },
        { cookie },
      )
    ).json()) as any
  ).data;
  const tokenResponse = await fetch(`${base}/v1/auth/oauth2/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${app.id}:${app.client_secret}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'read:customers' }),
  });
  const accessToken = ((await tokenResponse.json()) as any).access_token;

  const credentials: [string, Record<string, string>][] = [
    ['api key', { authorization: `Bearer ${key}` }],
    ['session bearer', { authorization: `Bearer ${bearer}` }],
    ['session cookie', { cookie }],
    ['oauth access token', { authorization: `Bearer ${accessToken}` }],
  ];
  const results = new Map<string, { rps: number[]; p50: number[]; p99: number[] }>();
  for (let round = 1; round <= rounds; round++) {
    for (const [name, headers] of credentials) {
      const r = await autocannon({
        url: `${base}/v1/customers/${customer.id}`,
        connections,
        duration: seconds,
        headers,
      });
      if (r.non2xx > 0) throw new Error(`${name}: ${r.non2xx} non-2xx answers`);
      const entry = results.get(name) ?? { rps: [], p50: [], p99: [] };
      entry.rps.push(r.requests.mean);
      entry.p50.push(r.latency.p50);
      entry.p99.push(r.latency.p99);
      results.set(name, entry);
      process.stderr.write(
        `round ${round} ${name}: ${r.requests.mean.toFixed(0)} req/s, p50 ${r.latency.p50} ms, ` +
          `p99 ${r.latency.p99} ms\n`,
      );
    }
  }
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  console.log(`\nGET /v1/customers/{id}, ${connections} connections, ${rounds} x ${seconds} s each, PostgreSQL\n`);
  console.log('| credential | req/s | p50 ms | p99 ms |\n| --- | ---: | ---: | ---: |');
  for (const [name, r] of results)
    console.log(`| ${name} | ${mean(r.rps).toFixed(0)} | ${mean(r.p50).toFixed(1)} | ${mean(r.p99).toFixed(1)} |`);
} finally {
  await server.stop();
  await database.drop();
}
