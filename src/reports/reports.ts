// Reports: a business report of the account (one of REPORT_TYPES) asked for as CSV, XLSX or PDF.
// Asking answers 202 at once; the report worker makes the file (queued -> running -> succeeded or
// failed), keeps it in the file storage until `expires_at`, and `GET /v1/reports/{id}/download`
// streams it. The params are checked against the type's own schema when the report is asked for.
import { Readable } from 'node:stream';
import { z } from 'zod';
import { defineResource, resourceEndpoint } from '../platform/resource/define-resource.ts';
import { field } from '../platform/resource/fields.ts';
import { ApiError, notFound, validationFailed } from '../platform/errors.ts';
import { selectRow } from '../platform/operations/row-statements.ts';
import { BinaryBody } from '../platform/api/upload.ts';
import { fileStorage } from '../storage/storage-module.ts';
import type { OperationContext } from '../platform/contract.ts';
import { reportWorkerKey } from './report-worker.ts';
import { REPORT_TYPE_NAMES, REPORT_TYPES, reportTypeOrThrow } from './report-types.ts';
import { REPORT_FORMATS, fileOf, reportStorageKey } from './report-formats.ts';
import { paramsDocumentation } from './params-documentation.ts';

export const REPORT_STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const;

/** The type's own check of `params`, its errors at `params.{path}`; answers the params as parsed. */
export function checkedParams(type: string, params: unknown): Record<string, unknown> {
  const parsed = reportTypeOrThrow(type).params.safeParse(params ?? {});
  if (parsed.success) return parsed.data;
  throw validationFailed(
    parsed.error.issues.map((issue) => ({
      path: ['params', ...issue.path.map(String)].join('.'),
      message:
        issue.code === 'unrecognized_keys' ? `not a parameter of '${type}': ${issue.keys.join(', ')}` : issue.message,
    })),
  );
}

/** Wakes the worker once the report is committed (it polls anyway: this saves the wait). */
function nudgeWorker(ctx: OperationContext): void {
  ctx.tx.afterCommit(async () => ctx.runtime.find(reportWorkerKey)?.nudge());
}

export const reports = defineResource({
  name: 'report',
  collection: 'reports',
  idPrefix: 'rpt',
  description:
    'A business report of the account as a file (CSV, XLSX or PDF), made in the background: ask for it, watch ' +
    '`status`, then download it from `GET /v1/reports/{id}/download` until `expires_at`.',
  operations: ['list', 'get', 'create'],
  limitedBecause:
    'A report is made once from what was asked and expires: ask for another rather than changing or deleting one.',
  acceptedOnCreate:
    'Answers 202 at once with the report `queued`; it is made in the background (`running`, then `succeeded` ' +
    'with `row_count` and `bytes`, or `failed` with `error`) and the events `report.succeeded` or ' +
    '`report.failed` say when. An unknown `type` or params the type refuses: 422 at the field, and nothing is kept.',
  lifecycle: { field: 'status' },
  schema: [
    // Who works on a running report, until when: a node that died lets go when its lease ends.
    'ALTER TABLE reports ADD COLUMN IF NOT EXISTS lease_expires_at timestamptz',
    `CREATE INDEX IF NOT EXISTS reports_unfinished_idx ON reports (created_at) WHERE status IN ('queued', 'running')`,
    // When the expired file was removed from the storage.
    'ALTER TABLE reports ADD COLUMN IF NOT EXISTS file_removed_at timestamptz',
    `CREATE INDEX IF NOT EXISTS reports_kept_idx ON reports (expires_at)
       WHERE status = 'succeeded' AND file_removed_at IS NULL`,
  ],
  fields: {
    type: field
      .enum(REPORT_TYPE_NAMES)
      .required()
      .createOnly()
      .filterable()
      .describe(REPORT_TYPES.map((type) => `\`${type.name}\`: ${type.description}`).join(' ')),
    params: field
      .json(z.record(z.string(), z.unknown()))
      .default({})
      .createOnly()
      // The first type's (jobs_completed) params: the example asks for a whole report.
      .example({ from: '2026-01-01', to: '2026-01-31' })
      .describe(`What the type takes. ${paramsDocumentation()}`),
    format: field.enum(REPORT_FORMATS).required().createOnly().filterable(),
    status: field
      .enum(REPORT_STATUSES)
      .default('queued')
      .readOnly()
      .filterable()
      .describe('`queued`, `running`, then `succeeded` (download it) or `failed` (see `error`).'),
    row_count: field.integer({ min: 0 }).readOnly().describe('Rows in the file (the header not counted).'),
    bytes: field.number({ min: 0 }).readOnly().describe('Size of the file.'),
    error: field.text().readOnly().describe('Why it failed.'),
    attempts: field.integer({ min: 0 }).default(0).readOnly().describe('Tries so far (a try cut short is retried).'),
    started_at: field.datetime().readOnly(),
    finished_at: field.datetime().readOnly().sortable(),
    expires_at: field.datetime().readOnly().describe('When the file is deleted; download it before.'),
  },
  hooks: {
    validate: async ({ row }) => {
      checkedParams(row.type, row.params);
    },
    stamp: async ({ row }) => ({ params: checkedParams(row.type, row.params) }),
    afterCreate: async ({ ctx }) => nudgeWorker(ctx),
  },
  endpoints: [
    resourceEndpoint({
      method: 'get',
      path: '/{id}/download',
      operationId: 'downloadReport',
      summary: 'Download a report’s file',
      description:
        'Streams the file: `text/csv` (RFC 4180, UTF-8), XLSX or `application/pdf`, as the report’s `format` ' +
        'says, with a file name. 409 while the report is not `succeeded`, or once it has expired.',
      producesMediaType: 'application/octet-stream',
      answers: z.string().describe('The file.'),
      async run({ params, ctx }) {
        const [row] = await ctx.tx.query(selectRow(ctx.registry.get('reports'), ctx.tx.accountId, params.id));
        if (!row) throw notFound('report', params.id);
        if (row.status !== 'succeeded')
          throw new ApiError('conflict', `The report is ${row.status}: it can be downloaded once it has succeeded`);
        const stream =
          Date.parse(row.expires_at) > Date.now()
            ? await ctx.runtime.use(fileStorage).getStream(reportStorageKey(ctx.tx.accountId, row.id))
            : null;
        if (!stream) throw new ApiError('conflict', 'The report has expired: ask for it again');
        const file = fileOf(row.format);
        return new BinaryBody(
          Readable.toWeb(stream) as ReadableStream<Uint8Array>,
          file.contentType,
          `${row.type}-${row.id}.${file.extension}`,
        );
      },
    }),
  ],
});
