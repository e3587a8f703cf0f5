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
export function redactHeaders(
  headers: Headers | Record<string, string | string[] | undefined>,
): Record<string, string> {
  const entries = headers instanceof Headers ? [...headers.entries()] : Object.entries(headers);
  const out: Record<string, string> = {};
  for (const [name, raw] of entries) {
    if (raw === undefined) continue;
    const known = headerName(name);
    out[known.lower] = redactedValue(known, Array.isArray(raw) ? raw.join(', ') : raw);
  }
  return out;
}

interface HeaderName {
  lower: string;
  redact: 'credential' | 'whole' | null;
}

function redactedValue(name: HeaderName, value: string): string {
  return name.redact === 'credential' ? redactCredential(value) : name.redact ? REDACTED : value;
}

/** What each header name (as sent) means for redaction, decided once: a client sends the same few. */
const headerNames = new Map<string, HeaderName>();
const HEADER_NAME_CACHE_SIZE = 1_000;

function headerName(name: string): HeaderName {
  let known = headerNames.get(name);
  if (!known) {
    const lower = name.toLowerCase();
    const redact =
      lower === 'authorization' || lower === 'proxy-authorization'
        ? 'credential'
        : SECRET_HEADERS.has(lower) || SECRET_MEMBER.test(lower)
          ? 'whole'
          : null;
    known = { lower, redact };
    // Bounded: names are the caller's to choose.
    if (headerNames.size < HEADER_NAME_CACHE_SIZE) headerNames.set(name, known);
  }
  return known;
}

/**
 * Node's raw `[name, value, ...]` list as a redacted record, read directly: cheaper than the
 * headers object Node would build from it first. A repeated name keeps every value, joined with ', '.
 */
export function redactRawHeaders(raw: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = headerName(raw[i]);
    const value = redactedValue(name, raw[i + 1]);
    out[name.lower] = Object.hasOwn(out, name.lower) ? `${out[name.lower]}, ${value}` : value;
  }
  return out;
}

export function redactBody(value: unknown, depth = 0): unknown {
  if (depth > 20 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redactBody(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([key, member]) =>
      // A yes/no flag (client_credentials: true) cannot hold a secret; a number can (a card's cvc).
      [
        key,
        SECRET_MEMBER.test(key) && member !== null && typeof member !== 'object' && typeof member !== 'boolean'
          ? REDACTED
          : redactBody(member, depth + 1),
      ],
    ),
  );
}
