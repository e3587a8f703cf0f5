import { connectDatabase } from '/work/main/src/db/connect.ts';
import { migrate } from '/work/main/src/db/migrate.ts';
import { createRegistry } from '/work/main/src/domain/registry.ts';
import { createAccount } from '/work/main/src/auth/accounts.ts';
import { RequestLogWriter } from '/work/main/src/analytics/request-log-writer.ts';
import { Metrics } from '/work/main/src/analytics/metrics.ts';
import { redactHeaders } from '/work/main/src/analytics/redact.ts';
import pino from 'pino';
const db = await connectDatabase({ databaseUrl: 'postgres://postgres@127.0.0.1:5432/fl_ins', dataDir: '/tmp/x', dbPoolSize: 5 } as any);
await migrate(db, createRegistry());
const acct = await createAccount(db, { name: 'x' });
if (process.env.DROPIDX) await db.withConnection((c) => c.run(`DROP INDEX IF EXISTS request_logs_route_idx; DROP INDEX IF EXISTS request_logs_status_idx; DROP INDEX IF EXISTS request_logs_api_key_id_idx; DROP INDEX IF EXISTS request_logs_error_code_idx;`));
const w = new RequestLogWriter(db, new Metrics(), pino({ level: 'warn' }), { batchSize: 500 });
const headers = new Headers({ host: '127.0.0.1:4000', authorization: 'Bearer fl_live_abc', 'user-agent': 'autocannon', accept: '*/*' });
let seq = 0;
const mk = () => ({ id: 'req_' + (seq++).toString().padStart(26, '0'), account_id: acct.account.id, api_key_id: 'key_x', method: 'GET', path: '/v1/customers/cus_01JD3QZ7W7N5Q2T3V9X4Y6Z8AB', route: '/v1/customers/{id}', status: 200, duration_us: 1234, ip: '127.0.0.1', user_agent: 'autocannon', bytes_in: 0, bytes_out: 400, error_code: null, request_headers: process.env.NOHDR ? null : redactHeaders(headers), request_body: null, response_body: null, created_at: new Date().toISOString() } as any);
for (let r = 0; r < 3; r++) {
  const t = performance.now();
  for (let k = 0; k < 40; k++) { for (let i = 0; i < 500; i++) w.push(mk()); await w.flush(); }
  console.log('20k rows', (performance.now() - t).toFixed(0), 'ms');
}
await db.close();
