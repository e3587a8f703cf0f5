// A campaign sender in a process of its own, for tests that kill it mid-send. It sends until
// the COMMIT of its batch number SKIP+1, where it SIGKILLs itself (CRASH=before|after).
// env: DATABASE_URL, ACCOUNT_ID (the only account it serves),
// CRASH, SKIP. Exits 0 if it ran out of work without crashing.
import { pino } from 'pino';
import { randomBytes } from 'node:crypto';
import { connectPostgres } from '../../src/db/connect-postgres.ts';
import { SecretBox } from '../../src/platform/secret-box.ts';
import { CampaignSender } from '../../src/domain/campaign-sender.ts';
import { createFieldline } from '../../src/main.ts';
import { dyingAtCommit, type CommitCrash } from './dying-database.ts';

const db = await connectPostgres(process.env.DATABASE_URL!, 2);
const dying = dyingAtCommit(db, {
  when: process.env.CRASH as CommitCrash,
  skip: Number(process.env.SKIP ?? 0),
  die: () => {
    process.kill(process.pid, 'SIGKILL');
    throw new Error('unreachable');
  },
});
const logger = pino({ level: 'silent' });
const { runtime } = createFieldline({
  db: dying,
  secrets: new SecretBox(randomBytes(32)),
  logger,
  options: { publicUrl: 'http://localhost' },
});
const sender = new CampaignSender(runtime, logger, { batchSize: 10 });
await sender.sendDue({ accountIds: [process.env.ACCOUNT_ID!] });
await db.close();
