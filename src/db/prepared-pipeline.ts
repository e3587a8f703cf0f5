// Plan-stable statements through PostgreSQL's extended protocol, several in one round trip.
//
// Why: a simple-protocol statement is parsed, analysed and planned at every call, and for a GET
// by id behind row-level security that planning was most of its database time (87-169 µs of
// ~150). A named prepared statement is planned per connection, and once PostgreSQL settles on a
// generic plan, not again. node-postgres sends one extended-protocol query per round trip, so the
// tenant preamble would cost a second one: this query writes every statement's Bind/Execute (and
// a Parse the first time a connection sees a text) behind one Sync. Until that Sync the
// statements share one implicit transaction, so a `set_config(..., true)` holds for the rest.
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Row } from './database.ts';
import type { SqlStatement } from './inline-parameters.ts';

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

interface Message {
  fields: unknown[];
  text?: string;
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

/** Parameters as text: prepared statements here carry ids, names and numbers, nothing that needs a codec. */
function parameterText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new TypeError(`a prepared statement's parameter must be text, a number or a boolean, not ${typeof value}`);
}

/** A node-postgres Submittable: the statements' results, one array of rows each. */
export class PreparedPipeline implements pg.Submittable {
  callback?: (error: Error | null, results?: Row[][]) => void;
  readonly #statements: readonly SqlStatement[];
  readonly #types: pg.CustomTypesConfig;
  readonly #results: pg.Result[] = [];
  #current: pg.Result | undefined;
  #parsing: string[] = [];
  #failure: Error | undefined;
  #prepared: Map<string, 'ready' | 'unsure'> | undefined;

  constructor(statements: readonly SqlStatement[], types: pg.CustomTypesConfig) {
    this.#statements = statements;
    this.#types = types;
  }

  submit(pgConnection: pg.Connection): void {
    const connection = pgConnection as unknown as ProtocolWriter;
    let prepared = preparedOn.get(connection);
    if (!prepared) preparedOn.set(connection, (prepared = new Map()));
    this.#prepared = prepared;
    connection.stream.cork();
    try {
      for (const statement of this.#statements) {
        const name = statementName(statement.sql);
        const state = prepared.get(name);
        if (state !== 'ready' && !this.#parsing.includes(name)) {
          // Closing a statement that does not exist is no error: after a failure we cannot tell.
          if (state === 'unsure') connection.close({ type: 'S', name });
          connection.parse({ name, text: statement.sql, types: [] });
          this.#parsing.push(name);
        }
        connection.bind({ portal: '', statement: name, values: statement.parameters.map(parameterText) });
        connection.describe({ type: 'P', name: '' });
        connection.execute({ portal: '', rows: 0 });
      }
      connection.sync();
    } finally {
      connection.stream.uncork();
    }
  }

  handleRowDescription(message: Message): void {
    const result = new pg.Result('object', this.#types as never) as pg.Result & ResultParsing;
    result.addFields(message.fields);
    this.#current = result;
  }

  handleDataRow(message: Message): void {
    if (this.#failure || !this.#current) return;
    const result = this.#current as pg.Result & ResultParsing;
    try {
      result.addRow(result.parseRow(message.fields));
    } catch (error) {
      this.#failure = error as Error;
    }
  }

  handleCommandComplete(): void {
    this.#results.push(this.#current ?? ({ rows: [] } as unknown as pg.Result));
    this.#current = undefined;
  }

  handleEmptyQuery(): void {
    this.handleCommandComplete();
  }

  handlePortalSuspended(): void {}

  handleError(error: Error): void {
    // The server skipped the rest up to Sync: which of our Parses ran is unknown.
    for (const name of this.#parsing) this.#prepared?.set(name, 'unsure');
    this.callback?.(this.#failure ?? error);
  }

  handleReadyForQuery(): void {
    for (const name of this.#parsing) this.#prepared?.set(name, 'ready');
    if (this.#failure) return void this.callback?.(this.#failure);
    this.callback?.(
      null,
      this.#results.map((result) => result.rows as Row[]),
    );
  }
}

/** What pg's Result does with a row description and a data row (used by pg-cursor too). */
interface ResultParsing {
  addFields(fields: unknown[]): void;
  parseRow(fields: unknown[]): Row;
  addRow(row: Row): void;
}
