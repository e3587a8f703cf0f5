// A `fetch` for the LLM SDKs that dials only what the webhook target policy allows
// (src/webhooks/target-policy.ts): the address is judged when the connection is made, on the
// address actually dialled, so a base URL whose DNS changes after it was saved (rebinding)
// still cannot reach a private or metadata address. Node's own fetch takes no `lookup`, hence
// node:http(s) underneath, with the SDK's abort signal (its timeout) passed through.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { Readable } from 'node:stream';
import { addressAllowed, guardedLookup } from '../webhooks/target-policy.ts';

/** The SDKs' `fetch` option: the subset of the web's fetch they call. */
export type GuardedFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

const refused = (message: string) => Object.assign(new Error(`refused: ${message}`), { code: 'ETARGETREFUSED' });

function responseHeaders(message: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(message.headers)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.set(name, value);
  }
  return headers;
}

export function guardedFetch(allowPrivate: boolean): GuardedFetch {
  return async (input, init) => {
    // The web Request encodes any body the SDK hands over (JSON text, multipart FormData) once.
    const request = new Request(input, init);
    const url = new URL(request.url);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && allowPrivate))
      throw refused(`${url.protocol} URLs are not allowed`);
    // Node dials an IP literal without a lookup, so the guard must see it here.
    const literal = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    if (isIP(literal) && !addressAllowed(literal, allowPrivate))
      throw refused(`${literal} is a private or reserved address`);
    const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
    const headers = Object.fromEntries(request.headers);
    // No compressed answers: this fetch does not decode them.
    headers['accept-encoding'] = 'identity';
    if (body) headers['content-length'] = String(body.length);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<Response>((resolve, reject) => {
      const outgoing = send(
        url,
        {
          method: request.method,
          headers,
          lookup: guardedLookup(allowPrivate) as never,
          signal: init?.signal ?? undefined,
        },
        (message) => {
          const status = message.statusCode ?? 502;
          const empty = status === 204 || status === 304 || request.method === 'HEAD';
          if (empty) message.resume();
          resolve(
            new Response(empty ? null : (Readable.toWeb(message) as ReadableStream), {
              status,
              statusText: message.statusMessage,
              headers: responseHeaders(message),
            }),
          );
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  };
}
