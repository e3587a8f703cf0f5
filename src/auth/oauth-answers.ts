// Better Auth's answers on the OAuth endpoints, made to speak OAuth: an error it raises before
// the protocol starts (a JSON body where a form is due: `{"message", "code"}`) becomes RFC 6749's
// `{"error": "invalid_request", "error_description"}`, which every OAuth client reads, and a
// redirect carries no body type it does not have.
const FALLBACK_ERROR = 'invalid_request';

export async function asOAuthAnswer(response: Response): Promise<Response> {
  if (response.status >= 300 && response.status < 400) {
    const headers = new Headers(response.headers);
    headers.delete('content-type');
    return new Response(null, { status: response.status, headers });
  }
  if (response.status < 400 || !(response.headers.get('content-type') ?? '').includes('json')) return response;
  const text = await response.text();
  let body: Record<string, unknown> | null = null;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON after all: answered as an OAuth error below
  }
  if (body && typeof body.error === 'string') return new Response(text, response);
  const description = typeof body?.message === 'string' ? body.message : 'The request could not be read';
  const headers = new Headers(response.headers);
  headers.delete('content-length');
  return Response.json({ error: FALLBACK_ERROR, error_description: description }, { status: response.status, headers });
}
