// What automation rules cost the write path: `POST /v1/customers` against the real server
// (its engine running) with no rules, then with 100 enabled rules in the account (95 waiting
// for other event types, 5 for customer.created whose conditions do not hold: the engine judges
// and drops those events meanwhile, in the same process). Phases alternate, rules switched on and off by SQL, so slow
// moments of a shared machine hit both. Reports req/s and p50/p99 latency per phase, and the ratio.
// Usage: npm run bench:automation   (env: BENCH_DATABASE_URL, BENCH_DURATION, BENCH_ROUNDS, BENCH_CONNECTIONS)
import autocannon from 'autocannon';
import { loadConfig } from '../src/config.ts';
import { startServer } from '../src/server.ts';
import { createBenchKey } from './bench-key.ts';
import { systemQuery } from '../src/db/system-query.ts';
import { createAccount, OWNER_SCOPES } from '../src/auth/accounts.ts';
import { createBenchDatabase } from './database.ts';

const env = process.env;
const adminUrl = env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const seconds = Number(env.BENCH_DURATION ?? 5);
const rounds = Number(env.BENCH_ROUNDS ?? 3);
const connections = Number(env.BENCH_CONNECTIONS ?? 10);
const log = (message: string) => process.stderr.write(`${message}\n`);
const OTHER_EVENTS = ['job.completed', 'invoice.paid', 'lead.created', 'ticket.created', 'estimate.accepted'];

const database = await createBenchDatabase(adminUrl);
const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATABASE_URL: database.url, LOG_LEVEL: 'warn' });
const server = await startServer(config);
try {
  const { account } = await createAccount(server.db, { name: 'Automation Bench', plan: 'enterprise' });
  const secret = await createBenchKey(server.db, account.id, { name: 'Bench key', scopes: OWNER_SCOPES });
  if (process.env.NO_ENGINE)
    await server.fieldline.runtime
      .use((await import('../src/automation/automation-module.ts')).automationEngine)
      .stop();
  const url = `http://127.0.0.1:${server.port}`;
  const headers = { authorization: `Bearer ${secret}`, 'content-type': 'application/json' };

  for (let i = 0; i < 100; i++) {
    const forCustomers = i < 5;
    const response = await fetch(`${url}/v1/automation-rules`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        name: `Rule ${i}`,
        enabled: false,
        trigger: { type: 'event', event: forCustomers ? 'customer.created' : OTHER_EVENTS[i % OTHER_EVENTS.length] },
        conditions: { field: 'object.id', op: 'eq', value: 'never-this-id' },
        actions: [{ type: 'create_record', collection: 'tickets', fields: { subject: 'Follow up {{object.id}}' } }],
      }),
    });
    if (response.status !== 201) throw new Error(`rule: ${response.status} ${await response.text()}`);
  }
  const setRules = (enabled: boolean) =>
    systemQuery(server.db, {
      sql: 'UPDATE automation_rules SET enabled = $2 WHERE account_id = $1',
      parameters: [account.id, enabled],
    });

  const results: Record<'off' | 'on', { rps: number[]; p50: number[]; p99: number[] }> = {
    off: { rps: [], p50: [], p99: [] },
    on: { rps: [], p50: [], p99: [] },
  };
  let n = 0;
  for (let round = 0; round <= rounds; round++) {
    for (const phase of ['off', 'on'] as const) {
      await setRules(phase === 'on');
      const result = await autocannon({
        url,
        connections,
        duration: round === 0 ? 2 : seconds, // round 0 warms up, unmeasured
        // Each connection cycles through these; names may repeat (customers need not be unique).
        requests: Array.from({ length: 50 }, () => ({
          method: 'POST',
          path: '/v1/customers',
          headers,
          body: JSON.stringify({ name: `Customer ${++n}`, email: `c${n}@bench.example` }),
        })),
      });
      if (result.non2xx > 0) throw new Error(`${result.non2xx} requests failed`);
      if (round === 0) continue;
      results[phase].rps.push(result.requests.mean);
      results[phase].p50.push(result.latency.p50);
      results[phase].p99.push(result.latency.p99);
      log(`round ${round} rules ${phase}: ${result.requests.mean.toFixed(0)} req/s p50 ${result.latency.p50} ms`);
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const [waiting] = await systemQuery(server.db, {
    sql: 'SELECT count(*) AS n FROM automation_triggers WHERE account_id = $1',
    parameters: [account.id],
  });
  const off = median(results.off.rps);
  const on = median(results.on.rps);
  process.stdout.write(
    [
      `| create customer, ${connections} connections | req/s | p50 ms | p99 ms |`,
      '| --- | --- | --- | --- |',
      `| no rules | ${off.toFixed(0)} | ${median(results.off.p50)} | ${median(results.off.p99)} |`,
      `| 100 enabled rules | ${on.toFixed(0)} | ${median(results.on.p50)} | ${median(results.on.p99)} |`,
      '',
      `with rules ÷ without: ${(on / off).toFixed(3)} (medians of ${rounds} rounds of ${seconds} s); ` +
        `${waiting!.n} events still waiting for the engine at the end`,
      '',
    ].join('\n'),
  );
} finally {
  await server.stop();
  await database.drop();
}
