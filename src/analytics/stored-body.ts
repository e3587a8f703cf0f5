// A request log body as the jsonb PostgreSQL will take, whatever the caller sent (issue 26,
// defects 7 and 8). Bodies are capped: past STORED_BODY_LIMIT bytes of JSON text the entry keeps
// the start of that text as a JSON string (marked truncated, with the real size), so one request
// with a huge array cannot store hundreds of kilobytes. jsonb refuses `\u0000` and unpaired
// surrogates (`\ud800`), which would cost the whole entry: they are stored escaped, as the
// visible six characters `\u0000` (a backslash kept in the string), never dropping the entry.

/** The most bytes of JSON text kept of a request or response body. */
export const STORED_BODY_LIMIT = 16 * 1024;

export interface StoredBody {
  /** JSON text for the jsonb column, or null for no body. */
  json: string | null;
  /** The size of the whole body's JSON text in UTF-8 bytes (before any cut), or null for no body. */
  bytes: number | null;
  truncated: boolean;
}

/**
 * `\\` pairs are matched too so the scan stays aligned on escapes: `\\u0000` (an escaped backslash
 * then `u0000`) is text, not a NUL. JSON.stringify writes a surrogate only as an escape when it is
 * unpaired, so every `\ud800`-`\udfff` escape it wrote is one jsonb would refuse.
 */
const UNSTORABLE_ESCAPE = /\\(?:\\|u(?:0000|d[89a-f][0-9a-f]{2}))/gi;
const NEEDS_CHECK = /\\u(?:0000|d[89a-f])/i;

/** JSON text with the escapes jsonb refuses turned into visible text. */
export function storableJsonText(json: string): string {
  if (!NEEDS_CHECK.test(json)) return json;
  return json.replace(UNSTORABLE_ESCAPE, (escape) => (escape === '\\\\' ? escape : `\\${escape}`));
}

/** The longest start of `text` whose UTF-8 encoding fits in `maxBytes`, never cutting a character. */
function utf8Prefix(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  let end = Math.max(0, maxBytes);
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--; // a continuation byte: back to its start
  return bytes.subarray(0, end).toString('utf8');
}

export function storedBody(value: unknown, limit = STORED_BODY_LIMIT): StoredBody {
  if (value === null || value === undefined) return { json: null, bytes: null, truncated: false };
  const json = JSON.stringify(value);
  if (json === undefined) return { json: null, bytes: null, truncated: false };
  const bytes = Buffer.byteLength(json, 'utf8');
  const storable = storableJsonText(json);
  const storableBytes = storable === json ? bytes : Buffer.byteLength(storable, 'utf8');
  if (storableBytes <= limit) return { json: storable, bytes, truncated: false };
  // The cut text is stored as a JSON string, whose quotes and escapes add bytes (up to twice as
  // many): the longest start that still fits, found by halving on at most `limit` characters.
  let head = storable.slice(0, limit);
  if (/[\ud800-\udbff]$/.test(head)) head = head.slice(0, -1); // half of a pair
  const cutTo = (maxBytes: number) => JSON.stringify(utf8Prefix(head, maxBytes));
  let [low, high] = [0, limit - 2];
  if (Buffer.byteLength(cutTo(high), 'utf8') <= limit) low = high; // the usual case: few quotes
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (Buffer.byteLength(cutTo(middle), 'utf8') <= limit) low = middle;
    else high = middle - 1;
  }
  return { json: cutTo(low), bytes, truncated: true };
}
