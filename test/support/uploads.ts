// multipart/form-data request bodies for upload routes, built the way a browser builds them.
export const TINY_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

export interface FilePart {
  bytes: Uint8Array;
  name?: string;
  type?: string;
}

/** `fields` and an optional `file` part, as `rawBody` and the matching content type header. */
export async function multipartBody(
  fields: Record<string, string>,
  file?: FilePart,
): Promise<{ rawBody: Uint8Array; headers: Record<string, string> }> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  if (file)
    form.append(
      'file',
      new Blob([new Uint8Array(file.bytes)], { type: file.type ?? 'image/png' }),
      file.name ?? 'photo.png',
    );
  const request = new Request('http://localhost/', { method: 'POST', body: form });
  return {
    rawBody: new Uint8Array(await request.arrayBuffer()),
    headers: { 'content-type': request.headers.get('content-type')! },
  };
}
