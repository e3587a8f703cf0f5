// Reads a Server-Sent Events body block by block: each event frame (one with an id) is pushed
// to `frames`, each comment line (": connected") is passed to `onComment`. Resolves when the
// stream ends or is cancelled.
export interface Frame {
  id: string;
  event: string;
  data: any;
}

export async function readFrames(
  body: ReadableStream<Uint8Array>,
  frames: Frame[],
  onComment: (comment: string) => void = () => {},
  reader = body.getReader(),
): Promise<void> {
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const lines = block.split('\n');
      for (const line of lines) if (line.startsWith(':')) onComment(line.slice(1).trim());
      const fields = Object.fromEntries(
        lines
          .filter((line) => !line.startsWith(':'))
          .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]),
      );
      if (fields.id) frames.push({ id: fields.id, event: fields.event, data: JSON.parse(fields.data) });
    }
  }
}
