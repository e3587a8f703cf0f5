// A webhook worker in a process of its own, for tests that kill it mid-delivery.
// env: DATABASE_URL, FIELDLINE_SECRET_KEY (hex), LEASE_MS, ACCOUNT_ID
// (the only account it serves). Prints "ready" once it listens.
import { pino } from 'pino';
import { connectPostgres } from '../../src/db/connect-postgres.ts';
import { SecretBox, parseSecretKey } from '../../src/platform/secret-box.ts';
import { WebhookDispatcher } from '../../src/webhooks/webhook-dispatcher.ts';
import { fieldlineApi } from '../../src/main.ts';

const db = await connectPostgres(process.env.DATABASE_URL!, 2);
const dispatcher = new WebhookDispatcher(db, {
  allowPrivate: true,
  secrets: new SecretBox(parseSecretKey(process.env.FIELDLINE_SECRET_KEY!)),
  logger: pino({ level: 'silent' }),
  leaseMs: Number(process.env.LEASE_MS ?? 60_000),
  pollMs: 100,
  accountIds: [process.env.ACCOUNT_ID!],
  resources: {
    endpoints: fieldlineApi().registry.get('webhook-endpoints'),
    deliveries: fieldlineApi().registry.get('webhook-deliveries'),
  },
});
await dispatcher.start();
process.stdout.write('ready\n');
