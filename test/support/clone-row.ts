// A new row copied from an existing one with some values replaced, in plain SQL (as any write
// path would insert it, triggers included): for tests that write many rows of a table whose
// required columns they do not care about.
import type { Database } from '../../src/db/database.ts';
import { systemQuery } from '../../src/db/system-query.ts';

/** Columns triggers keep (never copied: the triggers must set them). */
const FACTS = new Set(['on_site_minutes', 'next_job_created_at']);

export async function cloneRow(db: Database, table: string, templateId: string, values: Record<string, unknown>) {
  const columns = (
    await systemQuery(db, {
      sql: `SELECT column_name FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER'`,
      parameters: [table],
    })
  )
    .map((row) => String(row.column_name))
    .filter((name) => !FACTS.has(name));
  const names = Object.keys(values);
  const select = columns.map((c) => (names.includes(c) ? `$${names.indexOf(c) + 2}` : c));
  await systemQuery(db, {
    sql: `INSERT INTO ${table} (${columns.join(', ')}) SELECT ${select.join(', ')} FROM ${table} WHERE id = $1`,
    parameters: [templateId, ...Object.values(values)],
  });
}
