// A provider's answer read as text up to a size, so a huge or endless answer costs at most `max`
// bytes of memory: refused by its Content-Length before reading, or as soon as it grows past `max`.

/** The body as text; null (the body cancelled) when it is larger than `max` bytes. */
export async function readCappedText(response: Response, max: number): Promise<string | null> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > max) {
    await response.body?.cancel();
    return null;
  }
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks).toString('utf8');
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
}
