// Rows -> PostgreSQL COPY text format (tab-separated, `\N` for NULL, backslash escapes).
// COPY is how append-only rows are written in bulk: measured 3x cheaper for PostgreSQL than a
// multi-row INSERT of the same rows (bench/README.md, "Request logs").

// NUL cannot travel in PostgreSQL text; it never reaches a log row as anything meaningful.
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u0000': '\uFFFD' };

/** One value in COPY text form. */
export function copyValue(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  switch (typeof value) {
    case 'number':
      if (!Number.isFinite(value)) throw new RangeError('COPY values must be finite numbers');
      return String(value);
    case 'boolean':
      return value ? 't' : 'f';
    case 'string':
      return escapeText(value);
    default:
      return escapeText(JSON.stringify(value));
  }
}

const NEEDS_ESCAPE = /[\\\n\r\t\u0000]/;
const ESCAPED = /[\\\n\r\t\u0000]/g;

function escapeText(text: string): string {
  // One test for the common case: most values (ids, routes, timestamps) need nothing.
  return NEEDS_ESCAPE.test(text) ? text.replace(ESCAPED, (ch) => ESCAPES[ch]) : text;
}

/** One row as a COPY line, newline included. */
export function copyLine(row: readonly unknown[]): string {
  let line = '';
  for (let i = 0; i < row.length; i++) line += (i === 0 ? '' : '\t') + copyValue(row[i]);
  return `${line}\n`;
}

/** One line per row, each ending in a newline. */
export function toCopyText(rows: readonly (readonly unknown[])[]): string {
  let out = '';
  for (const row of rows) out += copyLine(row);
  return out;
}
