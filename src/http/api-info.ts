// GET /v1 (what this API is, where its docs are) and GET /v1/health (is the database there).
import type { Hono } from 'hono';
import type { Database } from '../db/database.ts';
import { API_VERSION } from '../platform/openapi/build-openapi.ts';

export function mountApiInfo(app: Hono, db: Database): void {
  app.get('/v1', (c) =>
    c.json({
      data: {
        object: 'api',
        name: 'Fieldline API',
        version: API_VERSION,
        links: { openapi: '/openapi.json', docs: '/docs', health: '/v1/health', events: '/v1/events' },
      },
    }),
  );

  app.get('/v1/health', async (c) => {
    const started = performance.now();
    try {
      await db.withConnection((connection) => connection.run('SELECT 1'));
      const latency = Math.round((performance.now() - started) * 100) / 100;
      return c.json({
        data: { object: 'health', status: 'ok', database: { status: 'ok', engine: db.kind, latency_ms: latency } },
      });
    } catch {
      return c.json(
        { data: { object: 'health', status: 'degraded', database: { status: 'unavailable', engine: db.kind } } },
        503,
      );
    }
  });
}
