// POST /v1/account/export, GET /v1/account/exports/{id} and its download: an archive of all the
// account's data, asked for by an owner. Asking answers 202 at once with the export `queued`; the
// export worker writes it (running -> succeeded or failed) and keeps it until `expires_at`. The
// rows are read and written through the tenant transaction, so another account's export is a 404
// like any object; asking for an archive and every download are written in the audit trail.
import { Readable } from 'node:stream';
import { z } from 'zod';
import { withTenantTransaction, type TenantTransaction } from '../db/tenant-transaction.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { defineOperation } from '../platform/api/define-operation.ts';
import { ApiError, notFound } from '../platform/errors.ts';
import { isIdOf, newId } from '../platform/ids.ts';
import type { Principal } from '../platform/operations/principal.ts';
import { fileStorage } from '../storage/storage-module.ts';
import { exportStorageKey } from './account-files.ts';
import { exportWorkerKey } from './export-worker.ts';
import { requireOwner } from './require-owner.ts';

const ID_PREFIX = 'aex';
const ID_PATTERN = `^${ID_PREFIX}_[0-9A-HJKMNP-TV-Z]{26}$`;

export const AccountExport = z.object({
  id: z.string().describe('`aex_...`'),
  object: z.literal('account_export'),
  status: z
    .enum(['queued', 'running', 'succeeded', 'failed'])
    .describe('`queued`, `running`, then `succeeded` (download it) or `failed` (see `error`).'),
  counts: z
    .record(z.string(), z.number().int())
    .nullable()
    .describe('Rows in the archive per table (`data/{table}.ndjson`), once it has succeeded.'),
  file_count: z.number().int().nullable().describe('Stored files in the archive (`files/...`).'),
  bytes: z.number().int().nullable().describe('Size of the ZIP archive.'),
  error: z.string().nullable(),
  requested_by: z.string().nullable().describe('The member who asked for it.'),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  expires_at: z.string().nullable().describe('When the archive is deleted; download it before.'),
  download_path: z.string().describe('`GET` it for the ZIP once `status` is `succeeded`.'),
  created_at: z.string(),
  updated_at: z.string(),
});

const COLUMNS = `id, status, counts, file_count, bytes, error, requested_by, started_at, finished_at, expires_at,
                 created_at, updated_at`;

const present = (row: Record<string, any>): z.infer<typeof AccountExport> => ({
  id: row.id,
  object: 'account_export',
  status: row.status,
  counts: typeof row.counts === 'string' ? JSON.parse(row.counts) : row.counts,
  file_count: row.file_count,
  bytes: row.bytes === null ? null : Number(row.bytes),
  error: row.error,
  requested_by: row.requested_by,
  started_at: row.started_at,
  finished_at: row.finished_at,
  expires_at: row.expires_at,
  download_path: `/v1/account/exports/${row.id}/download`,
  created_at: row.created_at,
  updated_at: row.updated_at,
});

/** The export, read under the account's row-level security: another account's is not there. */
async function loadExport(tx: TenantTransaction, id: string): Promise<Record<string, any>> {
  const [row] = isIdOf(ID_PREFIX, id)
    ? await tx.query({
        sql: `SELECT ${COLUMNS} FROM account_exports WHERE account_id = $1 AND id = $2`,
        parameters: [tx.accountId, id],
      })
    : [];
  if (!row) throw notFound('account export', id);
  return row;
}

const common = { tag: 'Account', params: { id: { pattern: ID_PATTERN } } } as const;
const requester = (principal: Principal) => principal.userId ?? null;

export const exportOperations = [
  defineOperation({
    method: 'post',
    path: '/v1/account/export',
    operationId: 'exportAccount',
    tag: 'Account',
    scope: 'write:account',
    bucket: 'expensive',
    summary: 'Export all of your account’s data',
    description:
      'Owners only. Starts an archive of everything the account holds: a ZIP with one NDJSON file per table ' +
      '(`data/{table}.ndjson`), the stored files (job photos and signatures, mail attachments, report files) ' +
      'under `files/`, and `manifest.json` (counts, and the columns withheld). Secrets are never exported: API ' +
      'key and token hashes, sealed signing secrets and provider tokens are left out. Answers 202 with the export ' +
      '`queued`; watch `GET /v1/account/exports/{id}`, then download it before `expires_at`.',
    body: z.strictObject({}),
    successStatus: 202,
    response: AccountExport,
    async handle({ runtime, principal }) {
      requireOwner(principal);
      const row = await withTenantTransaction(runtime.db, principal.accountId, async (tx) => {
        const now = new Date().toISOString();
        const [created] = await tx.query({
          sql: `INSERT INTO account_exports (id, account_id, status, requested_by, created_at, updated_at)
                VALUES ($1, $2, 'queued', $3, $4, $4) RETURNING ${COLUMNS}`,
          parameters: [newId(ID_PREFIX), tx.accountId, requester(principal), now],
        });
        recordAudit(tx, {
          action: 'account_export.created',
          actor: principal,
          resourceType: 'account_export',
          resourceId: created.id,
        });
        tx.afterCommit(async () => runtime.find(exportWorkerKey)?.nudge());
        return created;
      });
      return { status: 202, body: { data: present(row) }, location: `/v1/account/exports/${row.id}` };
    },
  }),
  defineOperation({
    ...common,
    method: 'get',
    path: '/v1/account/exports/{id}',
    operationId: 'getAccountExport',
    scope: 'read:account',
    bucket: 'read',
    summary: 'Retrieve an account export',
    description: 'Owners only. Its status, and once it has succeeded, what the archive holds and until when.',
    response: AccountExport,
    async handle({ runtime, principal, params }) {
      requireOwner(principal);
      const row = await withTenantTransaction(runtime.db, principal.accountId, (tx) => loadExport(tx, params.id));
      return { status: 200, body: { data: present(row) } };
    },
  }),
  defineOperation({
    ...common,
    method: 'get',
    path: '/v1/account/exports/{id}/download',
    operationId: 'downloadAccountExport',
    scope: 'read:account',
    bucket: 'expensive',
    summary: 'Download an account export',
    description:
      'Owners only. Streams the ZIP archive. 409 while the export is not `succeeded`, or once it has expired. ' +
      'Each download is recorded in the audit log (`account_export.downloaded`).',
    responseMediaType: 'application/zip',
    response: z.string().describe('The ZIP archive.'),
    async handle({ runtime, principal, params }) {
      requireOwner(principal);
      const stream = await withTenantTransaction(runtime.db, principal.accountId, async (tx) => {
        const row = await loadExport(tx, params.id);
        if (row.status !== 'succeeded')
          throw new ApiError('conflict', `The export is ${row.status}: it can be downloaded once it has succeeded`);
        const kept =
          Date.parse(row.expires_at) > Date.now()
            ? await runtime.use(fileStorage).getStream(exportStorageKey(tx.accountId, row.id))
            : null;
        if (!kept) throw new ApiError('conflict', 'The export has expired: ask for another');
        recordAudit(tx, {
          action: 'account_export.downloaded',
          actor: principal,
          resourceType: 'account_export',
          resourceId: row.id,
        });
        return kept;
      });
      return {
        status: 200,
        stream: Readable.toWeb(stream) as ReadableStream<Uint8Array>,
        contentType: 'application/zip',
        filename: `fieldline-export-${params.id}.zip`,
        headers: { 'Cache-Control': 'private, no-store' },
      };
    },
  }),
];
