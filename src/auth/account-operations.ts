// GET and PATCH /v1/account: the caller's account (tenant): its name, plan and the browser
// origins allowed to call the API with its credentials (CORS). Every node forgets its cached
// keys of the account when the change commits (NOTIFY), so the new origins apply at once.
import { z } from 'zod';
import { systemQuery, systemTransaction } from '../db/system-query.ts';
import { auditStatement, changesOfBody } from '../audit/record-audit.ts';
import { defineOperation } from '../platform/api/define-operation.ts';
import { validationFailed } from '../platform/errors.ts';
import { accountChangeNoticeSql } from './api-keys.ts';
import { allowedOrigins, apiKeyVerifier, oauthTokenVerifier, sessionVerifier } from './auth-services.ts';
import type { Runtime } from '../platform/contract.ts';

/** A browser origin as `Origin` headers carry it; accounts and OAuth apps list the ones they allow (CORS). */
export const BrowserOrigin = z
  .string()
  .max(255)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
    } catch {
      return false;
    }
  }, 'Expected an origin: scheme://host[:port], without path or trailing slash');

const Account = z.object({
  id: z.string(),
  object: z.literal('account'),
  name: z.string(),
  plan: z.string(),
  livemode: z
    .boolean()
    .describe('False in test mode: a test key acts in the sandbox, a separate account (README "Test mode").'),
  cors_allowed_origins: z.array(z.string()),
  notification_emails: z.array(z.string()),
  created_at: z.string(),
  updated_at: z.string(),
});

const AccountUpdate = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  cors_allowed_origins: z
    .array(BrowserOrigin)
    .max(20)
    .optional()
    .describe("Browser origins allowed to call the API with this account's credentials."),
  notification_emails: z
    .array(
      z
        .email()
        .max(320)
        .transform((s) => s.toLowerCase()),
    )
    .max(10)
    .optional()
    .describe('Who is mailed about operational problems: a webhook endpoint disabled after failing deliveries.'),
});

const COLUMNS = 'id, name, plan, livemode, cors_allowed_origins, notification_emails, created_at, updated_at';
const SELECT = `SELECT ${COLUMNS} FROM accounts WHERE id = $1`;
const present = (row: Record<string, any>) => ({
  id: row.id,
  object: 'account' as const,
  name: row.name,
  plan: row.plan,
  livemode: row.livemode,
  cors_allowed_origins: row.cors_allowed_origins,
  notification_emails: row.notification_emails,
  created_at: row.created_at,
  updated_at: row.updated_at,
});

/** This node forgets what it cached of an account's credentials and origins (others hear the NOTIFY). */
export function forgetAccount(runtime: Runtime, accountId: string): void {
  runtime.find(apiKeyVerifier)?.forgetAccount(accountId);
  runtime.find(sessionVerifier)?.forget('account', accountId);
  runtime.find(oauthTokenVerifier)?.forget('account', accountId);
  runtime.find(allowedOrigins)?.invalidate();
}

export const accountOperations = [
  defineOperation({
    method: 'get',
    path: '/v1/account',
    operationId: 'getAccount',
    tag: 'Account',
    scope: 'read:account',
    bucket: 'read',
    summary: 'Retrieve your account',
    response: Account,
    async handle({ runtime, principal }) {
      const [row] = await systemQuery(runtime.db, { sql: SELECT, parameters: [principal.accountId] });
      return { status: 200, body: { data: present(row) } };
    },
  }),
  defineOperation({
    method: 'patch',
    path: '/v1/account',
    operationId: 'updateAccount',
    tag: 'Account',
    scope: 'write:account',
    bucket: 'write',
    summary: 'Update your account',
    description:
      'Name, allowed CORS origins and who gets operational notices. The plan changes with ' +
      'POST /v1/account/subscription (owners) or by a platform operator.',
    body: AccountUpdate,
    response: Account,
    async handle({ runtime, principal, body }) {
      if (typeof body !== 'object' || body === null)
        throw validationFailed([{ path: '', message: 'The request body must be a JSON object' }]);
      const unique = (list: string[] | undefined) => (list ? [...new Set(list)] : null);
      // The notice and the audit entry are part of the update's transaction: kept if and only if it commits.
      const [[row]] = await systemTransaction(runtime.db, [
        {
          sql: `WITH updated AS (
                  UPDATE accounts SET name = coalesce($2, name),
                    cors_allowed_origins = coalesce($3::text[], cors_allowed_origins),
                    notification_emails = coalesce($4::text[], notification_emails), updated_at = now()
                  WHERE id = $1 RETURNING ${COLUMNS})
                SELECT updated.*, ${accountChangeNoticeSql('$1')} AS noticed FROM updated`,
          parameters: [
            principal.accountId,
            body.name ?? null,
            unique(body.cors_allowed_origins),
            unique(body.notification_emails),
          ],
        },
        auditStatement(principal.accountId, {
          action: 'account.updated',
          actor: principal,
          resourceType: 'account',
          resourceId: principal.accountId,
          changes: changesOfBody(body),
        }),
      ]);
      forgetAccount(runtime, principal.accountId);
      return { status: 200, body: { data: present(row) } };
    },
  }),
];
