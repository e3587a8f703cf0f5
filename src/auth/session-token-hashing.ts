// Session tokens are kept as their SHA-256 only (issue 26, defect 5): whoever reads `sessions`
// (a backup, an injection) holds nothing to sign in with. Better Auth has no option for it, so
// this Kysely plugin, on the connection Better Auth uses, hashes the token on its way into the
// table and in every comparison with it, and gives Better Auth back the token it asked for
// (it sets the cookie from the row it created or found).
import { createHash } from 'node:crypto';
import {
  BinaryOperationNode,
  ColumnNode,
  OperationNodeTransformer,
  PrimitiveValueListNode,
  ReferenceNode,
  TableNode,
  ValueListNode,
  ValueNode,
  ValuesNode,
  type DeleteQueryNode,
  type KyselyPlugin,
  type OperationNode,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type SelectQueryNode,
  type UnknownRow,
  type UpdateQueryNode,
} from 'kysely';

const TABLE = 'sessions';
const COLUMN = 'token';

/** What the table keeps of a token: its SHA-256, hex (SQL: encode(sha256(token), 'hex')). */
export const sessionTokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

const isSessionsTable = (node: OperationNode | undefined) =>
  node !== undefined && TableNode.is(node) && node.table.identifier.name === TABLE;

/**
 * Replaces each value compared with the token column with its hash, noting hash -> token to give
 * the rows back as asked. A column counts when it names `sessions` or when the (sub)query it sits
 * in reads `sessions` directly: Better Auth looks sessions up in a subquery.
 */
class TokenHasher extends OperationNodeTransformer {
  /** For each (sub)query being walked: whether it reads or writes `sessions` itself. */
  readonly #inSessions: boolean[] = [];

  constructor(readonly plain: Map<string, string>) {
    super();
  }

  #within<T>(onSessions: boolean, walk: () => T): T {
    this.#inSessions.push(onSessions);
    try {
      return walk();
    } finally {
      this.#inSessions.pop();
    }
  }

  protected override transformSelectQuery(node: SelectQueryNode): SelectQueryNode {
    const direct = (node.from?.froms ?? []).some(isSessionsTable);
    return this.#within(direct, () => super.transformSelectQuery(node));
  }

  protected override transformDeleteQuery(node: DeleteQueryNode): DeleteQueryNode {
    return this.#within((node.from?.froms ?? []).some(isSessionsTable), () => super.transformDeleteQuery(node));
  }

  protected override transformUpdateQuery(node: UpdateQueryNode): UpdateQueryNode {
    return this.#within(isSessionsTable(node.table), () => super.transformUpdateQuery(node));
  }

  #isTokenColumn(node: OperationNode): boolean {
    if (ReferenceNode.is(node) && ColumnNode.is(node.column) && node.column.column.name === COLUMN)
      return node.table ? isSessionsTable(node.table) : this.#inSessions.at(-1) === true;
    return ColumnNode.is(node) && node.column.name === COLUMN && this.#inSessions.at(-1) === true;
  }

  #hash(value: unknown): unknown {
    if (typeof value !== 'string') return value;
    const hash = sessionTokenHash(value);
    this.plain.set(hash, value);
    return hash;
  }

  protected override transformBinaryOperation(node: BinaryOperationNode): BinaryOperationNode {
    const operation = super.transformBinaryOperation(node);
    if (!this.#isTokenColumn(operation.leftOperand)) return operation;
    const right = operation.rightOperand;
    if (ValueNode.is(right)) return { ...operation, rightOperand: ValueNode.create(this.#hash(right.value)) };
    if (PrimitiveValueListNode.is(right))
      return { ...operation, rightOperand: PrimitiveValueListNode.create(right.values.map((v) => this.#hash(v))) };
    return operation;
  }

  /** `INSERT INTO sessions (..., token, ...) VALUES (...)`: the token's place in each row. */
  hashInsertedTokens(values: ValuesNode, at: number): ValuesNode {
    return ValuesNode.create(
      values.values.map((row) =>
        PrimitiveValueListNode.is(row)
          ? PrimitiveValueListNode.create(row.values.map((v, i) => (i === at ? this.#hash(v) : v)))
          : ValueListNode.create(
              row.values.map((v, i) => (i === at && ValueNode.is(v) ? ValueNode.create(this.#hash(v.value)) : v)),
            ),
      ),
    );
  }
}

export class SessionTokenHashing implements KyselyPlugin {
  readonly #plainByQuery = new WeakMap<object, Map<string, string>>();

  transformQuery({ node, queryId }: PluginTransformQueryArgs): RootOperationNode {
    const hasher = new TokenHasher(new Map());
    let transformed = hasher.transformNode(node) as RootOperationNode;
    const insert = transformed.kind === 'InsertQueryNode' && isSessionsTable(transformed.into);
    if (insert && transformed.kind === 'InsertQueryNode' && transformed.values && ValuesNode.is(transformed.values)) {
      const at = (transformed.columns ?? []).findIndex((column) => column.column.name === COLUMN);
      if (at !== -1) transformed = { ...transformed, values: hasher.hashInsertedTokens(transformed.values, at) };
    }
    if (hasher.plain.size) this.#plainByQuery.set(queryId, hasher.plain);
    return transformed;
  }

  async transformResult({ result, queryId }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const plain = this.#plainByQuery.get(queryId);
    if (!plain) return result;
    const rows = result.rows.map((row) =>
      typeof row[COLUMN] === 'string' && plain.has(row[COLUMN]) ? { ...row, [COLUMN]: plain.get(row[COLUMN]) } : row,
    );
    return { ...result, rows };
  }
}
