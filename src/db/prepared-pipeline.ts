// Statements through PostgreSQL's extended protocol, several in one round trip, the plan-stable
// ones as named prepared statements.
//
// Why: a simple-protocol statement is parsed, analysed and planned at every call, and for a GET
// by id behind row-level security that planning was most of its database time (87-169 µs of
// ~150). A named prepared statement is planned per connection, and once PostgreSQL settles on a
// generic plan, not again. node-postgres sends one extended-protocol query per round trip, so the
// tenant preamble would cost a second one: this query writes every statement's Bind/Execute (and
// a Parse the first time a connection sees a text) behind one Sync. Until that Sync the
// statements share one transaction (implicit, or the batch's own BEGIN), so a
// `set_config(..., true)` holds for the rest. Statements not marked `prepare` travel unnamed with
// their values inlined, planned at every call as through the simple protocol.
import { createHash } from 'node:crypto';
import pg from 'pg';
import { prepareValue } from 'pg/lib/utils.js';
import type { Row } from './database.ts';
import { assertStorableText, inlineParameters, UnsafeSqlValueError, type SqlStatement } from './inline-parameters.ts';

/** The protocol writer of a node-postgres connection (its `connection`), as this query uses it. */
interface ProtocolWriter {
  stream: { cork(): void; uncork(): void };
  parse(query: { name: string; text: string; types: number[] }): void;
  bind(config: { portal: string; statement: string; values: (string | null)[] }): void;
  describe(message: { type: 'P'; name: string }): void;
  execute(config: { portal: string; rows: number }): void;
  close(message: { type: 'S'; name: string }): void;
  sync(): void;
}

/** A RowDescription's or a DataRow's fields, as pg-protocol parses them. */
interface Message {
  fields: unknown[];
}

/** Per connection, the statements it has prepared; `unsure` after a failed round trip that parsed them. */
const preparedOn = new WeakMap<object, Map<string, 'ready' | 'unsure'>>();

const statementNames = new Map<string, string>();
/** A name per text, stable across connections and processes (`fl_` and 20 hex digits of its SHA-1). */
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) statementNames.set(text, (name = `fl_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`));
  return name;
}

/** A value as node-postgres would send it as a text parameter (arrays as array literals, objects as JSON). */
function parameterText(value: unknown): string | null {
  const text = prepareValue(value);
  if (text === null || text === undefined) return null;
  if (typeof text !== 'string') throw new UnsafeSqlValueError('binary values are not sent as statement parameters');
  assertStorableText(text);
  return text;
}

interface Step {
  /** '' (unnamed) for a statement planned at every call. */
  name: string;
  text: string;
  values: (string | null)[];
}

/** What to send for a statement; throws (before anything is sent) on a value SQL cannot carry. */
function stepOf(statement: SqlStatement): Step {
  if (!statement.prepare) return { name: '', text: inlineParameters(statement), values: [] };
  return { name: statementName(statement.sql), text: statement.sql, values: statement.parameters.map(parameterText) };
}

/** A node-postgres Submittable: the statements' results, one array of rows each. */
export class PreparedPipeline implements pg.Submittable {
  callback?: (error: Error | null, results?: Row[][]) => void;
  readonly #steps: readonly Step[];
  readonly #types: pg.CustomTypesConfig;
  readonly #results: Row[][] = [];
  #current: ResultParsing | undefined;
  #parsing: string[] = [];
  #failure: Error | undefined;
  #prepared: Map<string, 'ready' | 'unsure'> | undefined;

  constructor(statements: readonly SqlStatement[], types: pg.CustomTypesConfig) {
    this.#steps = statements.map(stepOf);
    this.#types = types;
  }

  submit(pgConnection: pg.Connection): void {
    const connection = pgConnection as unknown as ProtocolWriter;
    let prepared = preparedOn.get(connection);
    if (!prepared) preparedOn.set(connection, (prepared = new Map()));
    this.#prepared = prepared;
    connection.stream.cork();
    try {
      for (const { name, text, values } of this.#steps) {
        const state = name ? prepared.get(name) : undefined;
        if (!name) {
          connection.parse({ name, text, types: [] });
        } else if (state !== 'ready' && !this.#parsing.includes(name)) {
          // Closing a statement that does not exist is no error: after a failure we cannot tell.
          if (state === 'unsure') connection.close({ type: 'S', name });
          connection.parse({ name, text, types: [] });
          this.#parsing.push(name);
        }
        connection.bind({ portal: '', statement: name, values });
        connection.describe({ type: 'P', name: '' });
        connection.execute({ portal: '', rows: 0 });
      }
      connection.sync();
    } finally {
      connection.stream.uncork();
    }
  }

  handleRowDescription(message: Message): void {
    this.#current = new pg.Result('object', this.#types as never) as unknown as ResultParsing;
    this.#current.addFields(message.fields);
  }

  handleDataRow(message: Message): void {
    if (this.#failure || !this.#current) return;
    try {
      this.#current.addRow(this.#current.parseRow(message.fields));
    } catch (error) {
      this.#failure = error as Error;
    }
  }

  handleCommandComplete(): void {
    // A statement without rows (an INSERT, a SET) has no row description: an empty result.
    this.#results.push(this.#current?.rows ?? []);
    this.#current = undefined;
  }

  handleEmptyQuery(): void {
    this.handleCommandComplete();
  }

  handleError(error: Error): void {
    // The server skipped the rest up to Sync: which of our Parses ran is unknown.
    for (const name of this.#parsing) this.#prepared?.set(name, 'unsure');
    this.callback?.(this.#failure ?? error);
  }

  handleReadyForQuery(): void {
    for (const name of this.#parsing) this.#prepared?.set(name, 'ready');
    if (this.#failure) return void this.callback?.(this.#failure);
    this.callback?.(null, this.#results);
  }
}

/** What pg's Result does with a row description and a data row (used by pg-cursor too). */
interface ResultParsing {
  rows: Row[];
  addFields(fields: unknown[]): void;
  parseRow(fields: unknown[]): Row;
  addRow(row: Row): void;
}
