// A second webhook worker, as another node would run one: its own process, its own pool, the same
// database and secret key. Started by bench/webhooks.ts (BENCH_WORKERS); stops on SIGTERM.
// Usage: node --import tsx bench/webhook-worker.ts   (env: BENCH_WORKER_DATABASE_URL, BENCH_WORKER_SECRET_KEY)
import { pino } from 'pino';
import { connectPostgres } from '../src/db/connect-postgres.ts';
import { createFieldline } from '../src/main.ts';
import { SecretBox } from '../src/platform/secret-box.ts';
import { webhookDelivery } from '../src/webhooks/webhook-service.ts';

const db = await connectPostgres(process.env.BENCH_WORKER_DATABASE_URL!, 20);
const fieldline = createFieldline({
  db,
  secrets: new SecretBox(Buffer.from(process.env.BENCH_WORKER_SECRET_KEY!, 'hex')),
  logger: pino({ level: 'warn' }),
  options: { publicUrl: 'http://127.0.0.1', webhooks: { allowPrivate: true } },
});
await fieldline.runtime.use(webhookDelivery).start();
process.stdout.write('ready\n');
process.once('SIGTERM', async () => {
  await fieldline.runtime.stop();
  await db.close();
  process.exit(0);
});
