// Registry -> SQL schema: a table per resource with account_id, tenant-checked foreign keys
// (account_id, ref) -> (account_id, id), indexes for every declared filter/sort/search, and
// the row-level security policy. Statements are idempotent and additive; dropping or
// renaming a column needs a hand-written platform migration.
import { createHash } from 'node:crypto';
import { toSqlLiteral } from '../../db/inline-parameters.ts';
import { TENANT_ROLE } from '../../db/tenant-transaction.ts';
import type { Registry, ResourceDefinition } from '../contract.ts';
import type { FieldKind, FieldSpec } from '../resource/fields.ts';
import { SEARCH_TERMS_MIGRATION, searchDocumentSql } from '../query/search-terms.ts';

/**
 * Kinds whose one value many rows share (a status, an owner, a flag): their filters match many rows,
 * so their index also orders them. A text or number filter matches few; its narrow index suffices
 * and each insert pays less.
 */
const SHARED_VALUE_KINDS = new Set<FieldKind>(['enum', 'ref', 'boolean', 'currency']);

/** Whether the field's index is (account_id, field, created_at, id): one ordered range per value. */
export const hasRecentIndex = (spec: FieldSpec): boolean =>
  !spec.unique && !spec.sortable && SHARED_VALUE_KINDS.has(spec.kind);

const TENANT_POLICY = "account_id = current_setting('app.account_id', true)";

export function rowLevelSecurity(table: string): string[] {
  return [
    `ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`,
    `DROP POLICY IF EXISTS tenant_isolation ON ${table}`,
    `CREATE POLICY tenant_isolation ON ${table} USING (${TENANT_POLICY}) WITH CHECK (${TENANT_POLICY})`,
  ];
}

function tableStatements(resource: ResourceDefinition): string[] {
  const t = resource.table;
  const live = resource.softDelete ? ' WHERE deleted_at IS NULL' : '';
  const columns = Object.entries(resource.fields).map(([name, spec]) => ({
    name,
    type: spec.sqlType,
    notNull: spec.required || spec.defaultValue !== undefined,
    defaultSql: spec.defaultValue === undefined ? undefined : toSqlLiteral(spec.defaultValue),
  }));
  // A partitioned table's unique constraints must include the partition key, and nothing refers
  // to its rows, so it goes without; partitions are made and dropped by the table's owner.
  // Its rows come only from the platform (for authenticated accounts), so it also goes without
  // the account foreign key and per-filter indexes: each costs every one of its many inserts,
  // and its reads are always bounded by a time window on (account_id, created_at).
  const partitioned = resource.partitionByDay === true;
  const deletedAt = resource.softDelete ? ',\n  deleted_at timestamptz' : '';
  const idKey = partitioned ? '' : `,\n  CONSTRAINT ${t}_account_id_id_key UNIQUE (account_id, id)`;
  const statements = [
    `CREATE TABLE IF NOT EXISTS ${t} (
  id text${partitioned ? ' NOT NULL' : ' PRIMARY KEY'},
  account_id text NOT NULL${partitioned ? '' : ' REFERENCES accounts (id)'},
${columns.map((c) => `  ${c.name} ${c.type}${c.notNull ? ' NOT NULL' : ''},`).join('\n')}
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL${deletedAt}${idKey}
)${partitioned ? ' PARTITION BY RANGE (created_at)' : ''}`,
    // Fields added to a declaration later arrive as nullable columns.
    ...columns.map((c) => `ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS ${c.name} ${c.type}`),
    // A declared default is the column's too, so a writer in plain SQL (a trigger, an import, a
    // platform insert) that names no value gets the same one as the API (metadata only: no rewrite).
    ...columns
      .filter((c) => c.defaultSql !== undefined)
      .map((c) => `ALTER TABLE ${t} ALTER COLUMN ${c.name} SET DEFAULT ${c.defaultSql}`),
    ...(resource.softDelete ? [`ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS deleted_at timestamptz`] : []),
    `CREATE INDEX IF NOT EXISTS ${t}_created_at_idx ON ${t} (account_id, created_at, id)`,
    ...(partitioned ? [`CREATE INDEX IF NOT EXISTS ${t}_id_idx ON ${t} (account_id, id)`] : []),
  ];
  // Rows that never change (events) need no index to find recent changes.
  const mutable = resource.operations.has('update') || Object.keys(resource.actions).length > 0;
  if (mutable) statements.push(`CREATE INDEX IF NOT EXISTS ${t}_updated_at_idx ON ${t} (account_id, updated_at, id)`);
  if (partitioned) {
    // Tables made before this rule had both; dropping is idempotent.
    statements.push(`ALTER TABLE ${t} DROP CONSTRAINT IF EXISTS ${t}_account_id_fkey`);
    statements.push(...Object.keys(resource.fields).map((name) => `DROP INDEX IF EXISTS ${t}_${name}_idx`));
  }
  for (const [name, spec] of Object.entries(resource.fields)) {
    if (partitioned) continue;
    if (spec.unique)
      statements.push(`CREATE UNIQUE INDEX IF NOT EXISTS ${t}_${name}_key ON ${t} (account_id, ${name})${live}`);
    else if (spec.kind === 'tags' && spec.filterOperators.length)
      statements.push(`CREATE INDEX IF NOT EXISTS ${t}_${name}_idx ON ${t} USING gin (${name})`);
    else if (spec.sortable)
      statements.push(`CREATE INDEX IF NOT EXISTS ${t}_${name}_idx ON ${t} (account_id, ${name}, id)`);
    else if (hasRecentIndex(spec)) {
      // Ends with the default sort (created_at, id), so `?field=value` pages in order from the index
      // instead of walking every newer row that does not match (bench/README.md, "Filtered lists").
      // A prefix of it still serves the tenant-checked foreign key.
      statements.push(
        `CREATE INDEX IF NOT EXISTS ${t}_${name}_recent_idx ON ${t} (account_id, ${name}, created_at, id)`,
        `DROP INDEX IF EXISTS ${t}_${name}_idx`,
      );
    } else if (spec.filterOperators.length || spec.ref)
      statements.push(`CREATE INDEX IF NOT EXISTS ${t}_${name}_idx ON ${t} (account_id, ${name})`);
  }
  statements.push(...searchColumnStatements(t, resource.searchFields));
  statements.push(...rowLevelSecurity(t), `GRANT SELECT, INSERT, UPDATE, DELETE ON ${t} TO ${TENANT_ROLE}`);
  return statements;
}

/**
 * The stored search document, rebuilt only when what it stores changes: its expression or the
 * functions that expression calls, whose digest the column's comment keeps (their text as 0027
 * defines them; 0052 compiles the same text in PL/pgSQL, which changes no stored document).
 * Adding a stored generated column rewrites the table under an exclusive lock; rebuilt on every
 * schema change, it held the largest tables (1,000,000 jobs: minutes) and emptied their visibility
 * maps, so every index-only scan fetched from the heap again until the next vacuum.
 */
function searchColumnStatements(table: string, fields: readonly string[]): string[] {
  if (!fields.length) return [`ALTER TABLE ${table} DROP COLUMN IF EXISTS search_vector`];
  const expression = searchDocumentSql(fields);
  const digest = createHash('sha256')
    .update([expression, ...SEARCH_TERMS_MIGRATION.statements].join(';\n'))
    .digest('hex')
    .slice(0, 32);
  const column = `(SELECT attnum FROM pg_attribute
      WHERE attrelid = '${table}'::regclass AND attname = 'search_vector' AND NOT attisdropped)`;
  return [
    `DO $search$ BEGIN
  IF col_description('${table}'::regclass, ${column}) IS DISTINCT FROM '${digest}' THEN
    ALTER TABLE ${table} DROP COLUMN IF EXISTS search_vector;
    ALTER TABLE ${table} ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (${expression}) STORED;
    COMMENT ON COLUMN ${table}.search_vector IS '${digest}';
  END IF;
END $search$`,
    `CREATE INDEX IF NOT EXISTS ${table}_search_idx ON ${table} USING gin (search_vector)`,
  ];
}

function foreignKeyStatements(registry: Registry, resource: ResourceDefinition): string[] {
  return Object.entries(resource.fields).flatMap(([name, spec]) => {
    if (!spec.ref) return [];
    const target = registry.get(spec.ref.collection).table;
    const constraint = `${resource.table}_${name}_fkey`;
    const foreignKey = `FOREIGN KEY (account_id, ${name}) REFERENCES ${target} (account_id, id)`;
    return [
      `DO $$ BEGIN
  ALTER TABLE ${resource.table} ADD CONSTRAINT ${constraint} ${foreignKey};
EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
    ];
  });
}

/** Every statement that brings the database up to the registry's declarations. */
export function resourceSchemaStatements(registry: Registry): string[] {
  for (const resource of registry.resources) {
    for (const name of resource.searchFields) {
      if (resource.fields[name].sqlType !== 'text')
        throw new Error(`${resource.collection}.${name}: only text fields can be searchable`);
    }
  }
  return [
    ...registry.resources.flatMap(tableStatements),
    ...registry.resources.flatMap((resource) => foreignKeyStatements(registry, resource)),
    ...registry.resources.flatMap((resource) => resource.schema ?? []),
  ];
}
