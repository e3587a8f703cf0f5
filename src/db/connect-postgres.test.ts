// The LISTEN connection survives losing its session: it reconnects and listens again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectPostgres } from './connect-postgres.ts';
import { systemQuery } from './system-query.ts';

const url = process.env.DATABASE_URL;

test(
  'a terminated LISTEN session is reopened and notifications arrive again',
  { skip: !url && 'PostgreSQL only (DATABASE_URL)' },
  async () => {
    const db = await connectPostgres(url!, 2);
    const channel = `fl_reconnect_${process.pid}`;
    const received: string[] = [];
    let reconnects = 0;
    try {
      await db.listen(channel, (payload) => received.push(payload), {
        onReconnect: () => {
          reconnects++;
        },
      });
      const [killed] = await systemQuery(db, {
        sql:
          'SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity ' +
          'WHERE query = $1 AND pid <> pg_backend_pid()',
        parameters: [`LISTEN ${channel}`],
      });
      assert.equal(killed.n, 1, 'the listener session was found and terminated');
      // Notify until the reopened session hears it (the first reconnect waits about a second).
      for (let i = 0; i < 100 && !received.includes('after'); i++) {
        await systemQuery(db, { sql: 'SELECT pg_notify($1, $2)', parameters: [channel, 'after'] });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.ok(received.includes('after'), 'a notification arrived after the session was lost');
      assert.equal(reconnects, 1, 'the listener was told that notifications may have been missed');
    } finally {
      await db.close();
    }
  },
);
