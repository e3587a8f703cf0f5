// Reads a multipart/form-data body (an upload): size limit (413), content type (415), one file
// in the named field, text fields as the body. The file's SHA-256 joins the body, so an
// Idempotency-Key reused with another file is told apart.
import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { ApiError, badRequest, validationFailed } from '../platform/errors.ts';
import { readBodyBytes, unstorableStrings } from './json-body.ts';
import './context-variables.ts';
import type { UploadSpec } from '../platform/api/upload.ts';

/** Room for the multipart envelope and text fields around the file. */
const ENVELOPE_BYTES = 64 * 1024;

export function multipartBody(upload: UploadSpec): MiddlewareHandler {
  return async function parseMultipartBody(c, next) {
    const contentType = c.req.header('content-type') ?? '';
    if (!/^multipart\/form-data\s*;\s*boundary=/i.test(contentType)) {
      throw new ApiError(
        'unsupported_media_type',
        `Send the file as multipart/form-data in the field '${upload.field}'`,
      );
    }
    const bytes = await readBodyBytes(c, upload.maxBytes + ENVELOPE_BYTES);
    let form: FormData;
    try {
      form = await new Response(new Uint8Array(bytes), { headers: { 'content-type': contentType } }).formData();
    } catch {
      throw badRequest('The multipart body could not be read');
    }
    const fields: Record<string, string> = {};
    for (const [name, value] of form) {
      if (name in fields || (name === upload.field && c.get('upload')))
        throw badRequest(`${name}: given more than once`, [{ path: name, message: 'given more than once' }]);
      if (typeof value === 'string') {
        if (name === upload.field)
          throw badRequest(`${name}: expected a file`, [{ path: name, message: 'expected a file' }]);
        fields[name] = value;
        continue;
      }
      if (name !== upload.field)
        throw badRequest(`${name}: unexpected file; send it as '${upload.field}'`, [
          { path: name, message: 'unexpected file' },
        ]);
      const file = Buffer.from(await value.arrayBuffer());
      if (file.byteLength > upload.maxBytes)
        throw new ApiError('payload_too_large', `The file is ${file.byteLength} bytes; the most is ${upload.maxBytes}`);
      c.set('upload', {
        bytes: file,
        filename: value.name,
        declaredType: value.type,
        sha256: createHash('sha256').update(file).digest('hex'),
      });
    }
    const file = c.get('upload');
    if (!file)
      throw badRequest(`${upload.field}: a file is required`, [{ path: upload.field, message: 'a file is required' }]);
    const unstorable = unstorableStrings(fields);
    if (unstorable.length) throw validationFailed(unstorable);
    c.set('body', { ...fields, [upload.field]: { sha256: file.sha256, size: file.bytes.byteLength } });
    await next();
  };
}
