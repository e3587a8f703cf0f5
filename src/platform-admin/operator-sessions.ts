// Operators' sessions: `POST /v1/platform/sign-in` opens one and answers a `flop_` token once; only
// its SHA-256 is kept. Each use reads the session row (operators make few calls), so a sign-out or
// a disabled operator ends it on every node with the next request, with no cache to forget.
import { timingSafeEqual } from 'node:crypto';
import { hashPassword, verifyPassword } from 'better-auth/crypto';
import type { Database } from '../db/database.ts';
import { systemQuery } from '../db/system-query.ts';
import { newId } from '../platform/ids.ts';
import { randomBase62, sha256 } from '../platform/random-tokens.ts';
import { PLATFORM_SCOPE_PREFIX, type OperatorIdentity } from '../platform/api/operation.ts';
import type { OperatorCredentials } from '../http/http-services.ts';
import { OPERATOR_TOKEN_PREFIX } from '../http/operator-authentication.ts';

/** An operator signs in again after this long. */
export const OPERATOR_SESSION_HOURS = 12;
const TOKEN_PATTERN = /^flop_[0-9A-Za-z]{43}$/;
/** Every operator holds every platform scope; the scope names what an operation touches. */
const OPERATOR_SCOPES: ReadonlySet<string> = new Set([`${PLATFORM_SCOPE_PREFIX}*`]);

const byteaParameter = (bytes: Buffer) => `\\x${bytes.toString('hex')}`;

/**
 * Compared against when the email names no active operator, so that an unknown email costs the
 * same scrypt work as a wrong password: the two failures cannot be told apart by their timing.
 */
let decoyHash: Promise<string> | undefined;
const decoy = () => (decoyHash ??= hashPassword(randomBase62(24)));

export interface OpenedOperatorSession {
  token: string;
  sessionId: string;
  expiresAt: string;
  operator: { id: string; email: string; name: string };
}

/** A session for the operator with this email and password, or null (same answer, same work, either way). */
export async function openOperatorSession(
  db: Database,
  credentials: { email: string; password: string },
  client: { ip: string | null; userAgent: string | null },
): Promise<OpenedOperatorSession | null> {
  const [row] = await systemQuery<{ id: string; email: string; name: string; password_hash: string }>(db, {
    sql: `SELECT id, email, name, password_hash FROM platform_operators
           WHERE lower(email) = lower($1) AND status = 'active'`,
    parameters: [credentials.email.trim()],
  });
  const hash = row?.password_hash ?? (await decoy());
  const matches = await verifyPassword({ hash, password: credentials.password }).catch(() => false);
  if (!row || !matches) return null;
  const token = OPERATOR_TOKEN_PREFIX + randomBase62(43);
  const sessionId = newId('opsess');
  const now = new Date();
  const expiresAt = new Date(now.getTime() + OPERATOR_SESSION_HOURS * 3_600_000).toISOString();
  await systemQuery(db, {
    sql: `INSERT INTO platform_operator_sessions (token_hash, id, operator_id, ip, user_agent, created_at, expires_at)
          VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    parameters: [
      byteaParameter(sha256(token)),
      sessionId,
      row.id,
      client.ip,
      client.userAgent?.slice(0, 500) ?? null,
      now.toISOString(),
      expiresAt,
    ],
  });
  return { token, sessionId, expiresAt, operator: { id: row.id, email: row.email, name: row.name } };
}

/** Ends a session (sign-out); later uses of its token find nothing. */
export async function endOperatorSession(db: Database, sessionId: string): Promise<void> {
  await systemQuery(db, {
    sql: 'UPDATE platform_operator_sessions SET ended_at = now() WHERE id = $1 AND ended_at IS NULL',
    parameters: [sessionId],
  });
}

/** The gate's view of operator sessions (http-services.ts: operatorCredentials). */
export class OperatorSessionVerifier implements OperatorCredentials {
  constructor(private readonly db: Database) {}

  async identify(token: string): Promise<OperatorIdentity | null> {
    if (!TOKEN_PATTERN.test(token)) return null;
    const hash = sha256(token);
    const [row] = await systemQuery<{ id: string; operator_id: string; email: string; name: string; token_hash: any }>(
      this.db,
      {
        sql: `SELECT s.id, s.operator_id, s.token_hash, o.email, o.name
                FROM platform_operator_sessions s JOIN platform_operators o ON o.id = s.operator_id
               WHERE s.token_hash = $1 AND s.ended_at IS NULL AND s.expires_at > now() AND o.status = 'active'`,
        parameters: [byteaParameter(hash)],
      },
    );
    // Found by its hash; compared again in constant time, whatever the index lookup did.
    if (!row || !timingSafeEqual(Buffer.from(row.token_hash), hash)) return null;
    return {
      operatorId: row.operator_id,
      email: row.email,
      name: row.name,
      sessionId: row.id,
      scopes: OPERATOR_SCOPES,
    };
  }
}
