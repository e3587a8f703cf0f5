// After every /v1 response: Prometheus counters and latency, and a request log entry for
// requests that authenticated (the log belongs to an account). Both are in-memory steps; the
// log is written in batches by RequestLogWriter. Like bodies, headers are kept only for failed
// requests: the ones people open a log entry to debug, and a third of a row's bytes otherwise.
import type { Context, MiddlewareHandler } from 'hono';
import type { Registry as MetricsRegistry } from 'prom-client';
import { nodeRequest } from '../http/node-request.ts';
import { clientIp } from '../http/client-ip.ts';
import '../http/context-variables.ts';
import type { RequestLogWriter } from './request-log-writer.ts';
import { RequestSeries } from './request-series.ts';
import { redactBody, redactHeaders, redactRawHeaders } from './redact.ts';
import { isoTimestamp } from './iso-timestamp.ts';
import { credentialKindOf } from '../platform/operations/credential-kind.ts';

/**
 * Redacted request headers. On Node they are read from the raw list Node received: the fetch
 * Headers object (`c.req.raw.headers`) or Node's own parsed object would each be built first,
 * which alone cost more than the rest of the log entry.
 */
function requestHeaders(c: Context): Record<string, string> {
  const incoming = nodeRequest(c);
  return incoming ? redactRawHeaders(incoming.rawHeaders) : redactHeaders(c.req.raw.headers);
}

export interface TelemetryOptions {
  /** Where the request series are registered. */
  metrics: MetricsRegistry;
  writer: RequestLogWriter;
  trustProxy: boolean;
}

/** The app runs it for API calls only (src/http/create-http-app.ts). */
export function requestTelemetry({ metrics, writer, trustProxy }: TelemetryOptions): MiddlewareHandler {
  const requests = new RequestSeries(metrics);
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
      writer.countDropped('record_failed');
    }
  };

  function record(c: Context, startedAt: number, started: number, ip: string | null): void {
    const durationUs = Math.round((performance.now() - started) * 1000);
    const route = c.get('routeTemplate');
    const method = c.req.method;
    const status = c.res.status;
    requests.observe(method, route ?? 'unmatched', status, durationUs / 1e6);

    const principal = c.get('principal');
    if (!principal) return;
    const problem = c.get('problem');
    writer.push({
      id: c.get('requestId'),
      account_id: principal.accountId,
      api_key_id: principal.keyId ?? null,
      credential: credentialKindOf(principal),
      method,
      path: c.req.path,
      route: route ?? null,
      status,
      duration_us: durationUs,
      ip,
      user_agent: c.req.header('user-agent') ?? null,
      bytes_in: Number(c.req.header('content-length')) || 0,
      bytes_out: c.get('bytesOut') ?? null,
      error_code: problem ? String(problem.code) : null,
      request_headers: status >= 400 ? JSON.stringify(requestHeaders(c)) : null,
      request_body: problem && c.get('body') !== undefined ? redactBody(c.get('body')) : null,
      response_body: problem ?? null,
      created_at: isoTimestamp(startedAt),
    });
  }
}
