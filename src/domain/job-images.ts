// Images taken on a job (photos, the customer's signature): uploaded as multipart/form-data to
// `POST /v1/jobs/{id}/{segment}`, checked to be an image by their bytes (415 otherwise)
// and size (413), kept in the file storage, listed under the job, and downloaded from
// `GET /v1/{collection}/{id}/content`. One definition makes each kind; each adds its fields.
import { z } from 'zod';
import { defineResource, resourceEndpoint } from '../platform/resource/define-resource.ts';
import { field, type FieldBuilder } from '../platform/resource/fields.ts';
import { ApiError, notFound } from '../platform/errors.ts';
import { lockRowOrThrow } from '../platform/operations/load-row.ts';
import { insertValidated } from '../platform/operations/create.ts';
import { selectRow } from '../platform/operations/row-statements.ts';
import { serialize } from '../platform/operations/serialize.ts';
import { newId } from '../platform/ids.ts';
import { IMAGE_TYPES, sniffImageType } from '../storage/image-type.ts';
import type { FileStorage } from '../storage/file-storage.ts';
import { fileStorage } from '../storage/storage-module.ts';
import type { ResourceDefinition, OperationContext } from '../platform/contract.ts';
import { BinaryBody } from '../platform/api/upload.ts';

interface JobImageOptions {
  name: string;
  collection: string;
  idPrefix: string;
  description: string;
  /** Path segment under the job: `/v1/jobs/{id}/{segment}`. */
  segment: string;
  operationId: string;
  maxBytes: number;
  /** Fields the upload's form sets besides the file. */
  fields: Record<string, FieldBuilder>;
  form: z.ZodObject;
}

const storage = (ctx: OperationContext): FileStorage => ctx.runtime.use(fileStorage);

const storageKey = (accountId: string, id: string) => `${accountId}/${id}`;

export function defineJobImages(options: JobImageOptions): ResourceDefinition {
  const writable = Object.values(options.fields).some((builder) => builder.spec.access === 'writable');
  return defineResource({
    name: options.name,
    collection: options.collection,
    idPrefix: options.idPrefix,
    // A technician changes only their own work.
    roles: { technician: 'own' },
    description:
      `${options.description} Upload with \`POST /v1/jobs/{id}/${options.segment}\`; ` +
      `download with \`GET /v1/${options.collection}/{id}/content\`.`,
    operations: ['list', 'get', ...(writable ? ['update' as const] : []), 'delete', 'export'],
    limitedBecause:
      'Images are uploaded as files under their job (`POST /v1/jobs/{id}/...`), one file per request, ' +
      'not created from JSON; a signature is never altered.',
    listedUnder: [{ collection: 'jobs', segment: options.segment, field: 'job_id' }],
    assignment: { through: 'job_id' },
    fields: {
      job_id: field.ref('jobs').required().createOnly().filterable().expand('job'),
      ...options.fields,
      content_type: field
        .enum(IMAGE_TYPES)
        .required()
        .readOnly()
        .filterable()
        .describe('What the bytes are (checked, not taken from the client).'),
      size_bytes: field.integer({ min: 1 }).required().readOnly(),
      sha256: field.text({ max: 64 }).required().readOnly().describe('Hex SHA-256 of the file.'),
      filename: field.text({ max: 255 }).readOnly().describe('The name the uploader gave the file.'),
    },
    hooks: {
      // The file goes once the row's deletion has committed: a rolled-back delete keeps both.
      afterDelete: async ({ row, ctx }) =>
        ctx.tx.afterCommit(() => storage(ctx).delete(storageKey(ctx.tx.accountId, row.id))),
    },
    endpoints: [
      resourceEndpoint({
        method: 'post',
        base: '/v1/jobs',
        path: `/{id}/${options.segment}`,
        idOf: 'jobs',
        operationId: options.operationId,
        respondsWith: options.collection,
        summary: `Upload a ${options.name.replace(/_/g, ' ')} to a job`,
        description:
          `multipart/form-data with the image in \`file\` ` +
          `(JPEG, PNG, WebP or GIF, at most ${options.maxBytes / 1024 / 1024} MB).`,
        upload: { field: 'file', maxBytes: options.maxBytes, mediaTypes: IMAGE_TYPES },
        input: options.form,
        async run({ input, params, file, ctx }) {
          const resource = ctx.registry.get(options.collection);
          const job = await lockRowOrThrow(ctx, ctx.registry.get('jobs'), params.id);
          const contentType = sniffImageType(file!.bytes);
          if (!contentType)
            throw new ApiError(
              'unsupported_media_type',
              `The file is not a JPEG, PNG, WebP or GIF image (declared as '${file!.declaredType || 'nothing'}')`,
            );
          const id = newId(options.idPrefix);
          // Stored first: if the transaction then fails, an unreferenced file is left, never a row without its file.
          await storage(ctx).put(storageKey(ctx.tx.accountId, id), file!.bytes);
          const row = await insertValidated(ctx, resource, {
            ...input,
            id,
            job_id: job.id,
            content_type: contentType,
            size_bytes: file!.bytes.byteLength,
            sha256: file!.sha256,
            filename: file!.filename?.slice(0, 255) || null,
          });
          return serialize(resource, row);
        },
      }),
      resourceEndpoint({
        method: 'get',
        path: '/{id}/content',
        operationId: `download${options.operationId.replace(/^upload/, '')}`,
        summary: `Download the ${options.name.replace(/_/g, ' ')}'s image`,
        producesMediaType: 'image/*',
        answers: z.string().describe('The image bytes.'),
        async run({ params, ctx }) {
          const resource = ctx.registry.get(options.collection);
          const [row] = await ctx.tx.query(selectRow(resource, ctx.tx.accountId, params.id));
          const bytes = row && (await storage(ctx).get(storageKey(ctx.tx.accountId, row.id)));
          if (!bytes) throw notFound(options.name, params.id);
          return new BinaryBody(bytes, row.content_type, row.filename ?? undefined);
        },
      }),
    ],
  });
}
