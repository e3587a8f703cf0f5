// Turns a parameterised statement ($1, $2 ...) into one self-contained SQL text.
// Why: several statements can then travel in ONE simple-protocol message (tenant preamble +
// query + event insert + COMMIT), which node-postgres cannot do with bound parameters.
// Values are rendered exactly as node-postgres would send them as text parameters, then
// quoted; placeholders inside quoted strings, identifiers and comments are left alone.

export interface SqlStatement {
  /** One statement: write transactions send each through the extended protocol, which takes one. */
  readonly sql: string;
  readonly parameters: readonly unknown[];
  /**
   * Plan-stable: the same text at every call and one good plan whatever the values (a lookup by
   * primary key, an insert), so it may be prepared once per connection
   * (DatabaseConnection.runPrepared), its values bound as node-postgres sends them. Not for
   * filters over skewed values, whose best plan depends on the value.
   */
  readonly prepare?: boolean;
}

export class UnsafeSqlValueError extends Error {}

/** Refuses text PostgreSQL cannot store (a NUL), as a literal or as a bound parameter. */
export function assertStorableText(value: string): void {
  if (value.includes('\u0000')) throw new UnsafeSqlValueError('text values cannot contain the NUL character');
}

/** Quotes a string as a PostgreSQL literal, independent of standard_conforming_strings. */
export function quoteSqlString(value: string): string {
  assertStorableText(value);
  const doubled = value.replace(/'/g, "''");
  return value.includes('\\') ? `E'${doubled.replace(/\\/g, '\\\\')}'` : `'${doubled}'`;
}

function arrayElementText(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  const text =
    typeof value === 'object' && !(value instanceof Date)
      ? JSON.stringify(value)
      : String(value instanceof Date ? value.toISOString() : value);
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Renders one JavaScript value as a SQL literal. */
export function toSqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  switch (typeof value) {
    case 'number':
      if (!Number.isFinite(value)) throw new UnsafeSqlValueError('numbers must be finite');
      // Parentheses keep a negative number from meeting a minus sign and becoming a comment.
      return value < 0 ? `(${value})` : String(value);
    case 'bigint':
      return value < 0n ? `(${value})` : String(value);
    case 'boolean':
      return value ? 'TRUE' : 'FALSE';
    case 'string':
      return quoteSqlString(value);
    case 'object':
      if (value instanceof Date) return quoteSqlString(value.toISOString());
      if (Array.isArray(value)) return quoteSqlString(`{${value.map(arrayElementText).join(',')}}`);
      return quoteSqlString(JSON.stringify(value));
    default:
      throw new UnsafeSqlValueError(`cannot render a ${typeof value} as SQL`);
  }
}

/** Replaces $n placeholders outside quotes and comments with literals. */
export function inlineParameters({ sql, parameters }: SqlStatement): string {
  if (parameters.length === 0) return sql;
  let out = '';
  let copiedUpTo = 0;
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i];
    if (ch === "'" || ch === '"') {
      i = closingQuote(sql, i, ch);
    } else if (ch === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end;
    } else if (ch === '$' && isDigit(sql[i + 1]) && !isIdentifierChar(sql[i - 1])) {
      let j = i + 1;
      while (isDigit(sql[j])) j++;
      const index = Number(sql.slice(i + 1, j)) - 1;
      if (index < 0 || index >= parameters.length)
        throw new UnsafeSqlValueError(`no value for placeholder ${sql.slice(i, j)}`);
      out += sql.slice(copiedUpTo, i) + toSqlLiteral(parameters[index]);
      copiedUpTo = i = j;
    } else {
      i++;
    }
  }
  return out + sql.slice(copiedUpTo);
}

function closingQuote(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return sql.length;
}

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isIdentifierChar = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_]/.test(c);
