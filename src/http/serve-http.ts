// The HTTP listener for an app (the server and the tests that need a real socket serve through
// it). Requests Node refuses before the app sees them, headers past its limit (16 KiB by
// default) or a request it cannot parse, are answered as problem details like every other
// error, with a request id, rather than Node's bare status line (issue 26, defect 9).
import { STATUS_CODES, maxHeaderSize, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { serve } from '@hono/node-server';
import { ApiError } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';

type FetchApp = { fetch: (request: Request) => Response | Promise<Response> };

function refusal(error: NodeJS.ErrnoException, maxHeaderSize: number): ApiError | 'timeout' | null {
  if (error.code === 'HPE_HEADER_OVERFLOW')
    return new ApiError(
      'request_header_fields_too_large',
      `The request line and headers exceed ${maxHeaderSize} bytes; send a shorter URL or smaller headers`,
    );
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'timeout';
  if (error.code === 'ECONNRESET') return null; // the client is gone
  return new ApiError('bad_request', 'The request is not well-formed HTTP');
}

/** Node's `clientError`: the socket has no request yet, so the answer is written by hand. */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const pending = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    const answer = refusal(error, maxHeaderSize);
    if (!answer || !socket.writable || pending?.headersSent) return socket.destroy();
    if (answer === 'timeout') return socket.end('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n');
    const requestId = newId('req');
    const body = JSON.stringify(answer.toProblem(requestId));
    socket.end(
      `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}\r\n` +
        'Content-Type: application/problem+json\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${requestId}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  });
}

export function serveHttp(app: FetchApp, options: { port: number; hostname: string }): Server {
  const server = serve({ fetch: app.fetch, port: options.port, hostname: options.hostname }) as Server;
  answerClientErrors(server);
  return server;
}
