// OAuth 2.0 client credentials (RFC 6749 §4.4) as a token source: fetches an access token from
// the token endpoint, keeps it until shortly before it expires, and fetches a new one when asked
// to forget it (the API refused it: revoked or expired early).
import { AuthenticationError, FieldlineConnectionError } from './errors.ts';
import type { TokenSource } from './request.ts';

export interface ClientCredentialsOptions {
  clientId: string;
  clientSecret: string;
  /** Space-separated scopes, e.g. `read:customers write:jobs`; default: all of the client's. */
  scope?: string;
  /** Default: `${baseUrl}/v1/auth/oauth2/token` of the client using the provider. */
  tokenUrl?: string;
  /** Refresh this long before the token expires. Default 30 s. */
  refreshMarginSeconds?: number;
}

export interface ClientCredentialsProvider extends TokenSource {
  getToken(context?: { baseUrl: string; fetch: typeof fetch }): Promise<string>;
  invalidate(): void;
}

const DEFAULT_BASE_URL = 'http://localhost:3000';

/**
 * A token source for `new Fieldline({ auth })` using the client credentials grant.
 * @example
 * const fieldline = new Fieldline({ auth: clientCredentials({ clientId, clientSecret, scope: 'read:customers' }) });
 */
export function clientCredentials(options: ClientCredentialsOptions): ClientCredentialsProvider {
  let current: { token: string; refreshAt: number } | null = null;
  let pending: Promise<string> | null = null;
  const margin = (options.refreshMarginSeconds ?? 30) * 1000;

  async function fetchToken(context: { baseUrl: string; fetch: typeof fetch }): Promise<string> {
    const url = options.tokenUrl ?? `${context.baseUrl.replace(/\/+$/, '')}/v1/auth/oauth2/token`;
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (options.scope) form.set('scope', options.scope);
    const basic = btoa(`${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`);
    let response: Response;
    try {
      response = await context.fetch(url, {
        method: 'POST',
        headers: {
          authorization: `Basic ${basic}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: form,
      });
    } catch (error) {
      throw new FieldlineConnectionError(`POST ${url}: ${(error as Error)?.message ?? error}`, { cause: error });
    }
    const body = (await response.json().catch(() => ({}))) as {
      access_token?: string;
      expires_in?: number;
      error?: string;
      error_description?: string;
    };
    if (!response.ok || typeof body.access_token !== 'string') {
      const code = body.error ?? `http_${response.status}`;
      throw new AuthenticationError(
        {
          type: 'about:blank',
          title: 'OAuth token request failed',
          status: response.status,
          code,
          detail: body.error_description ?? code,
          request_id: response.headers.get('x-request-id') ?? '',
        },
        response.headers,
      );
    }
    const lifetime = (typeof body.expires_in === 'number' ? body.expires_in : 3600) * 1000;
    current = { token: body.access_token, refreshAt: Date.now() + Math.max(lifetime - margin, lifetime / 2) };
    return body.access_token;
  }

  return {
    getToken(context = { baseUrl: DEFAULT_BASE_URL, fetch: globalThis.fetch.bind(globalThis) }) {
      if (current && Date.now() < current.refreshAt) return Promise.resolve(current.token);
      // Concurrent requests share one token request.
      pending ??= fetchToken(context).finally(() => {
        pending = null;
      });
      return pending;
    },
    invalidate() {
      current = null;
    },
  };
}
