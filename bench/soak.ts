// Memory over a long run: the server as `npm start` runs it, on PostgreSQL, under a steady mix of
// reads and writes (a list, a read by id, a create: each a third) at 10 connections for
// BENCH_SOAK_MINUTES (default 10). Samples RSS every 10 s and prints it per minute, then the
// growth from the end of the first minute (warm) to the end: flat memory is the goal.
//   npm run bench:soak
import autocannon from 'autocannon';
import { createBenchDatabase } from './database.ts';
import { createBenchAccount, memoryOf, startServerProcess, type ServerProcess } from './server-process.ts';

const MINUTES = Number(process.env.BENCH_SOAK_MINUTES ?? 10);
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const database = await createBenchDatabase(ADMIN_URL);
let server: ServerProcess | undefined;
try {
  const { api_key: key } = createBenchAccount(database.url);
  server = await startServerProcess({ DATABASE_URL: database.url });
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const created = await fetch(`${server.base}/v1/customers`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ name: 'Soak Customer', email: 'soak@example.com' }),
  }).then((response) => response.json());

  const samples: { minute: number; rss: number }[] = [];
  const started = Date.now();
  const pid = server.pid;
  const sampler = setInterval(
    () => samples.push({ minute: (Date.now() - started) / 60_000, rss: memoryOf(pid).rss }),
    10_000,
  );
  const result = await autocannon({
    url: server.base,
    connections: 10,
    duration: MINUTES * 60,
    headers,
    requests: [
      { method: 'GET', path: '/v1/customers?limit=20' },
      { method: 'GET', path: `/v1/customers/${created.data.id}` },
      { method: 'POST', path: '/v1/customers', body: JSON.stringify({ name: 'Soak Load', status: 'lead' }) },
    ],
  });
  clearInterval(sampler);

  console.log(`${MINUTES} minutes, ${Math.round(result.requests.mean)} requests/s, non-2xx ${result.non2xx}\n`);
  console.log('| minute | RSS MiB (last sample of the minute) |');
  console.log('| ---: | ---: |');
  for (let minute = 1; minute <= MINUTES; minute++) {
    const last = samples.filter((sample) => sample.minute <= minute).at(-1);
    if (last) console.log(`| ${minute} | ${last.rss.toFixed(0)} |`);
  }
  const warm = samples.find((sample) => sample.minute >= 1);
  const end = samples.at(-1);
  if (warm && end)
    console.log(
      `\nfrom minute 1 to the end: ${(end.rss - warm.rss).toFixed(0)} MiB; peak ${memoryOf(pid).peak.toFixed(0)} MiB`,
    );
} finally {
  await server?.stop();
  await database.drop();
}
