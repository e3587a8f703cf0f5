// Platform operators: the people who run Fieldline as a service, in no account. Made and
// disabled only from the command line (`fieldline operators ...`), so no API credential can make
// one. Passwords are hashed with the function Better Auth uses for people's passwords (scrypt).
import { hashPassword } from 'better-auth/crypto';
import type { Database } from '../db/database.ts';
import { systemQuery, systemTransaction } from '../db/system-query.ts';
import { newId } from '../platform/ids.ts';
import { randomBase62 } from '../platform/random-tokens.ts';

/** At least this long: a generated one has 24 base62 characters (~143 bits). */
export const MIN_OPERATOR_PASSWORD = 12;

export type OperatorRow = {
  id: string;
  email: string;
  name: string;
  status: 'active' | 'disabled';
  created_at: string;
};

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export class OperatorInputError extends Error {}

/**
 * A new operator; `password` is generated when not given (and then returned, to be shown once).
 * Throws OperatorInputError on a bad email, a short password or an email already taken.
 */
export async function createOperator(
  db: Database,
  input: { email: string; name?: string; password?: string },
): Promise<{ operator: OperatorRow; password: string; generated: boolean }> {
  const email = input.email.trim().toLowerCase();
  if (!EMAIL.test(email) || email.length > 254) throw new OperatorInputError(`Not an email address: ${input.email}`);
  const password = input.password ?? randomBase62(24);
  if (password.length < MIN_OPERATOR_PASSWORD || password.length > 256)
    throw new OperatorInputError(`The password must have ${MIN_OPERATOR_PASSWORD} to 256 characters`);
  const name = (input.name ?? '').trim() || email;
  const now = new Date().toISOString();
  const operator: OperatorRow = { id: newId('op'), email, name, status: 'active', created_at: now };
  const [inserted] = await systemTransaction(db, [
    {
      sql: `INSERT INTO platform_operators (id, email, name, password_hash, status, created_at, updated_at)
            VALUES ($1, $2, $3, $4, 'active', $5, $5) ON CONFLICT (lower(email)) DO NOTHING RETURNING id`,
      parameters: [operator.id, email, name, await hashPassword(password), now],
    },
  ]);
  if (!inserted.length) throw new OperatorInputError(`An operator with the email ${email} exists already`);
  return { operator, password, generated: input.password === undefined };
}

export async function listOperators(db: Database): Promise<OperatorRow[]> {
  return systemQuery<OperatorRow>(db, {
    sql: `SELECT id, email, name, status, created_at FROM platform_operators ORDER BY created_at, id`,
    parameters: [],
  });
}

/** Disables an operator and ends their sessions at once; false when there is no such operator. */
export async function disableOperator(db: Database, email: string): Promise<boolean> {
  const [, found] = await systemTransaction(db, [
    {
      sql: `WITH disabled AS (
              UPDATE platform_operators SET status = 'disabled', updated_at = now()
               WHERE lower(email) = lower($1) RETURNING id)
            UPDATE platform_operator_sessions SET ended_at = now()
             WHERE operator_id IN (SELECT id FROM disabled) AND ended_at IS NULL`,
      parameters: [email.trim()],
    },
    { sql: 'SELECT id FROM platform_operators WHERE lower(email) = lower($1)', parameters: [email.trim()] },
  ]);
  return found.length > 0;
}
