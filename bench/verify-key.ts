// Micro-benchmark of API key verification on the warm path: what `ApiKeyVerifier.verify`
// costs a request once the key is cached (parse, cache lookup, SHA-256, constant-time compare,
// expiry check). The database is touched only by the first call, which is reported apart.
// Run: npm run bench:verify-key   (embedded PGlite; nothing else needed)
import { performance } from 'node:perf_hooks';
import { connectPglite } from '../src/db/connect-pglite.ts';
import { migrate } from '../src/db/migrate.ts';
import { createRegistry } from '../src/domain/registry.ts';
import { createAccount } from '../src/auth/accounts.ts';
import { ApiKeyVerifier } from '../src/auth/api-keys.ts';

const BATCH = 1_000;
const BATCHES = Number(process.env.BENCH_BATCHES ?? 200);

const db = await connectPglite();
await migrate(db, createRegistry());
const { api_key: key } = await createAccount(db, { name: 'Bench Co' });
const verifier = new ApiKeyVerifier(db);

let started = performance.now();
if (!(await verifier.verify(key))) throw new Error('the key does not verify');
const coldMs = performance.now() - started;

const perCallUs: number[] = [];
for (let b = 0; b < BATCHES; b++) {
  started = performance.now();
  for (let i = 0; i < BATCH; i++) await verifier.verify(key);
  perCallUs.push(((performance.now() - started) * 1000) / BATCH);
}
perCallUs.sort((a, b) => a - b);
const at = (q: number) => perCallUs[Math.min(perCallUs.length - 1, Math.floor(q * perCallUs.length))].toFixed(2);
console.log(`first call (database): ${coldMs.toFixed(2)} ms`);
console.log(`warm verify, ${BATCHES} batches of ${BATCH}: median ${at(0.5)} µs, p99 ${at(0.99)} µs per call (budget: 200 µs)`);
await db.close();
