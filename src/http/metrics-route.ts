// GET /metrics in Prometheus text format. On the public listener it needs
// `Authorization: Bearer $FIELDLINE_METRICS_TOKEN` (compared in constant time); on the admin
// listener (FIELDLINE_ADMIN_PORT, bind it to a private interface) it is open.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Hono } from 'hono';
import type { Registry } from 'prom-client';

const digest = (text: string) => createHash('sha256').update(text).digest();

export function mountMetrics(app: Hono, metrics: Registry, token: string | null): void {
  const expected = token ? digest(token) : null;
  app.get('/metrics', async (c) => {
    if (expected) {
      const presented = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
      if (!presented || !timingSafeEqual(digest(presented), expected)) {
        return c.text('Unauthorized: send Authorization: Bearer <FIELDLINE_METRICS_TOKEN>\n', 401, {
          'WWW-Authenticate': 'Bearer realm="metrics"',
        });
      }
    }
    return c.body(await metrics.metrics(), 200, { 'Content-Type': metrics.contentType });
  });
}
