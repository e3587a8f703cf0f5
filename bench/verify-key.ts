// Micro-benchmark of credential verification on the warm path: what `ApiKeyVerifier.verify`
// costs a request once the key is cached (parse, cache lookup, SHA-256, constant-time compare,
// expiry check), and what `SessionVerifier.identify` costs once the session is cached (SHA-256,
// cache lookup, expiry check). The database is touched only by each first call, reported apart.
// Run: npm run bench:verify-key   (embedded PGlite; nothing else needed)
import { performance } from 'node:perf_hooks';
import { connectPglite } from '../src/db/connect-pglite.ts';
import { migrate } from '../src/db/migrate.ts';
import { fieldlineApi, createFieldline } from '../src/main.ts';
import { createAccount } from '../src/auth/accounts.ts';
import { ApiKeyVerifier } from '../src/auth/api-keys.ts';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { SessionVerifier } from '../src/auth/session-verifier.ts';
import { peopleAuth } from '../src/auth/auth-services.ts';
import { SecretBox } from '../src/platform/secret-box.ts';
import { OAuthTokenVerifier } from '../src/auth/oauth-tokens.ts';

const BATCH = 1_000;
const BATCHES = Number(process.env.BENCH_BATCHES ?? 200);

const db = await connectPglite();
const api = fieldlineApi();
const registry = api.registry;
await migrate(db, api.schema);
const { api_key: key } = await createAccount(db, { name: 'Bench Co' });
const verifier = new ApiKeyVerifier(db);

// A signed-up person's session token, and a verifier of sessions with the server's secret.
const logger = pino({ level: 'silent' });
const { app, runtime } = createFieldline({
  db,
  secrets: new SecretBox(randomBytes(32)),
  logger,
  options: { publicUrl: 'http://localhost:3000' },
});
const signUp = await app.request('/v1/auth/sign-up', {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({
    name: 'Bench',
    email: 'bench@example.test',
    password: 'bench password 123',
    account_name: 'Bench Co',
  }),
});
const sessionToken = ((await signUp.json()) as any).data.token as string;
const sessions = new SessionVerifier(db, runtime.use(peopleAuth), registry);

// An OAuth app of the account (client credentials) and one of its access tokens.
const cookie = signUp.headers.getSetCookie()[0].split(';')[0];
const oauthApp = (
  (await (
    await app.request('/v1/oauth/clients', {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({ name: 'bench app', scopes: ['read:customers'], client_credentials: true }),
    })
  ).json()) as any
).data;
const issued = await app.request('/v1/auth/oauth2/token', {
  method: 'POST',
  headers: {
    'content-type': 'application/x-www-form-urlencoded',
    authorization: `Basic ${Buffer.from(`${oauthApp.id}:${oauthApp.client_secret}`).toString('base64')}`,
  },
  body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'read:customers' }),
});
const accessToken = ((await issued.json()) as any).access_token as string;
const oauthTokens = new OAuthTokenVerifier(db, registry);

async function measure(name: string, verifyOnce: () => Promise<unknown>) {
  let started = performance.now();
  if (!(await verifyOnce())) throw new Error(`${name}: does not verify`);
  const coldMs = performance.now() - started;
  const perCallUs: number[] = [];
  for (let b = 0; b < BATCHES; b++) {
    started = performance.now();
    for (let i = 0; i < BATCH; i++) await verifyOnce();
    perCallUs.push(((performance.now() - started) * 1000) / BATCH);
  }
  perCallUs.sort((a, b) => a - b);
  const at = (q: number) => perCallUs[Math.min(perCallUs.length - 1, Math.floor(q * perCallUs.length))].toFixed(2);
  console.log(
    `${name}: first call (database) ${coldMs.toFixed(2)} ms; ` +
      `warm, ${BATCHES} batches of ${BATCH}: median ${at(0.5)} µs, p99 ${at(0.99)} µs per call (budget: 200 µs)`,
  );
}

await measure('API key', () => verifier.verify(key));
await measure('session', () => sessions.identify(sessionToken));
await measure('OAuth access token', () => oauthTokens.verify(accessToken));
await db.close();
