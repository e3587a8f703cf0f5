// Secrets never reach a log or an echo: credentials in headers keep only a recognisable
// prefix, and body members whose names suggest a secret are replaced.
const SECRET_HEADERS = new Set(['authorization', 'cookie', 'set-cookie', 'proxy-authorization', 'x-api-key']);
const SECRET_MEMBER = /pass(word)?|secret|token|api[_-]?key|authorization|credential|card_number|cvc|private/i;
export const REDACTED = '[redacted]';

/** `Bearer fl_test_AbC...` keeps the scheme and the non-secret key prefix (mode + lookup). */
function redactCredential(value: string): string {
  const bearer = /^(Bearer|Basic)\s+(\S+)$/i.exec(value);
  if (!bearer) return REDACTED;
  const apiKey = /^(fl_(?:live|test)_[0-9A-Za-z]{12})/.exec(bearer[2]);
  return `${bearer[1]} ${apiKey ? `${apiKey[1]}${REDACTED}` : REDACTED}`;
}

/** Accepts fetch Headers or Node's parsed headers (repeated values arrive as arrays there). */
export function redactHeaders(headers: Headers | Record<string, string | string[] | undefined>): Record<string, string> {
  const entries = headers instanceof Headers ? [...headers.entries()] : Object.entries(headers);
  const out: Record<string, string> = {};
  for (const [name, raw] of entries) {
    if (raw === undefined) continue;
    const value = Array.isArray(raw) ? raw.join(', ') : raw;
    const lower = name.toLowerCase();
    if (lower === 'authorization' || lower === 'proxy-authorization') out[lower] = redactCredential(value);
    else if (SECRET_HEADERS.has(lower) || SECRET_MEMBER.test(lower)) out[lower] = REDACTED;
    else out[lower] = value;
  }
  return out;
}

export function redactBody(value: unknown, depth = 0): unknown {
  if (depth > 20 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redactBody(item, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([key, member]) =>
    // A yes/no flag (client_credentials: true) cannot hold a secret; a number can (a card's cvc).
    [key, SECRET_MEMBER.test(key) && member !== null && typeof member !== 'object' && typeof member !== 'boolean' ? REDACTED : redactBody(member, depth + 1)]));
}
