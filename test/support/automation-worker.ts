// An automation engine in a process of its own, for tests that kill it mid-run.
// env: DATABASE_URL, FIELDLINE_SECRET_KEY (hex), LEASE_MS, ACCOUNT_ID (the only account it
// serves). Prints "ready" once its loop runs.
import { pino } from 'pino';
import { connectPostgres } from '../../src/db/connect-postgres.ts';
import { SecretBox, parseSecretKey } from '../../src/platform/secret-box.ts';
import { createFieldline } from '../../src/main.ts';
import { AutomationEngine } from '../../src/automation/automation-engine.ts';

const db = await connectPostgres(process.env.DATABASE_URL!, 2);
const logger = pino({ level: 'silent' });
const { runtime } = createFieldline({
  db,
  secrets: new SecretBox(parseSecretKey(process.env.FIELDLINE_SECRET_KEY!)),
  logger,
  options: { publicUrl: 'http://localhost:3000' },
});
const engine = new AutomationEngine(runtime, logger, {
  intervalMs: 20,
  leaseMs: Number(process.env.LEASE_MS ?? 60_000),
  batchSize: 5,
  accountIds: [process.env.ACCOUNT_ID!],
});
await engine.start();
process.stdout.write('ready\n');
