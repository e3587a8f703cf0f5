// The comparison: the same three requests with nothing but Hono, @hono/node-server and a
// pg.Pool: no auth, no validation library, no RLS/tenant preamble, no event outbox.
// It serves one fixed account, so the difference to Fieldline is the cost of our stack.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import pg from 'pg';
import { newId } from '../src/platform/ids.ts';

const COLUMNS = 'id, name, email, phone, company, address, tags, status, notes, created_at, updated_at';

export async function startBareServer(options: { databaseUrl: string; accountId: string; poolSize: number }) {
  const { accountId } = options;
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize });
  pool.on('error', () => undefined);
  const app = new Hono();

  app.get('/customers/:id', async (c) => {
    const { rows } = await pool.query(`SELECT ${COLUMNS} FROM customers WHERE account_id = $1 AND id = $2`, [
      accountId,
      c.req.param('id'),
    ]);
    return rows[0] ? c.json({ data: rows[0] }) : c.json({ error: 'not found' }, 404);
  });

  app.get('/customers', async (c) => {
    const limit = Math.min(Number(c.req.query('limit') ?? 25) || 25, 100);
    const { rows } = await pool.query(
      `SELECT ${COLUMNS} FROM customers WHERE account_id = $1 AND company = $2 AND deleted_at IS NULL
       ORDER BY created_at DESC, id DESC LIMIT $3`,
      [accountId, c.req.query('company') ?? null, limit + 1],
    );
    return c.json({ data: rows.slice(0, limit), page: { has_more: rows.length > limit } });
  });

  app.post('/customers', async (c) => {
    const body = await c.req.json<{ name?: unknown; email?: unknown }>();
    if (typeof body.name !== 'string' || body.name === '') return c.json({ error: 'name is required' }, 400);
    const now = new Date().toISOString();
    const email = typeof body.email === 'string' ? body.email.toLowerCase() : null;
    const row = {
      id: newId('cus'),
      name: body.name,
      email,
      phone: null,
      company: null,
      address: null,
      tags: [] as string[],
      status: 'active',
      notes: null,
      created_at: now,
      updated_at: now,
    };
    await pool.query(
      `INSERT INTO customers (id, account_id, name, email, tags, status, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [row.id, accountId, row.name, row.email, row.tags, row.status, now, now],
    );
    return c.json({ data: row }, 201);
  });

  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.end();
    })());
  return { port, stop };
}
