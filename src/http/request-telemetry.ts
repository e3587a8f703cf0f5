// After every /v1 response: Prometheus counters and latency, and a request log entry for
// requests that authenticated (the log belongs to an account). Both are in-memory steps; the
// log is written in batches by RequestLogWriter.
import type { Context, MiddlewareHandler } from 'hono';
import type { IncomingHttpHeaders } from 'node:http';
import { nodeRequest } from './node-request.ts';
import type { Metrics } from '../analytics/metrics.ts';
import type { RequestLogWriter } from '../analytics/request-log-writer.ts';
import { redactBody, redactHeaders } from '../analytics/redact.ts';
import { clientIp } from './client-ip.ts';
import './context-variables.ts';

/**
 * On Node the headers Node already parsed; `c.req.raw.headers` would make the adapter build a
 * fetch Headers object, which alone cost more than the rest of the log entry.
 */
function requestHeaders(c: Context): Headers | IncomingHttpHeaders {
  return nodeRequest(c)?.headers ?? c.req.raw.headers;
}

function headerValue(headers: Headers | IncomingHttpHeaders, name: 'user-agent' | 'content-length'): string | null {
  return (headers instanceof Headers ? headers.get(name) : headers[name]) ?? null;
}

export interface TelemetryOptions {
  metrics: Metrics;
  writer: RequestLogWriter;
  trustProxy: boolean;
}

export function requestTelemetry({ metrics, writer, trustProxy }: TelemetryOptions): MiddlewareHandler {
  return async function recordRequest(c, next) {
    const startedAt = Date.now();
    const started = performance.now();
    // Read now: once a refused body has been abandoned the socket may be gone.
    const ip = clientIp(c, trustProxy);
    await next();
    try {
      record(c, startedAt, started, ip);
    } catch {
      // Telemetry never fails a request; a bug here shows up as dropped logs.
      metrics.requestLogsDropped.inc({ reason: 'record_failed' });
    }
  };

  function record(c: Context, startedAt: number, started: number, ip: string | null): void {
    const durationUs = Math.round((performance.now() - started) * 1000);
    const route = c.get('routeTemplate') ?? 'unmatched';
    const method = c.req.method;
    const status = c.res.status;
    metrics.observeRequest(method, route, status, durationUs / 1e6);

    const principal = c.get('principal');
    if (!principal) return;
    const problem = c.get('problem');
    const headers = requestHeaders(c);
    const contentLength = headerValue(headers, 'content-length');
    writer.push({
      id: c.get('requestId'),
      account_id: principal.accountId,
      api_key_id: principal.keyId ?? null,
      method,
      path: c.req.path,
      route: c.get('routeTemplate') ?? null,
      status,
      duration_us: durationUs,
      ip,
      user_agent: headerValue(headers, 'user-agent'),
      bytes_in: contentLength ? Number(contentLength) || 0 : 0,
      bytes_out: c.get('bytesOut') ?? null,
      error_code: problem ? String(problem.code) : null,
      request_headers: redactHeaders(headers),
      request_body: problem && c.get('body') !== undefined ? redactBody(c.get('body')) : null,
      response_body: problem ?? null,
      created_at: new Date(startedAt).toISOString(),
    });
  }
}
