// Opaque keyset cursors: the sort key values of the last row, bound to the sort they came from.
import { badRequest } from '../errors.ts';

export interface CursorPosition {
  /** The sort expression the cursor belongs to, e.g. "-created_at". */
  sort: string;
  /** Values of the sort keys then the id, of the last row returned. */
  values: unknown[];
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.sort, ...position.values])).toString('base64url');
}

export function decodeCursor(cursor: string, expectedSort: string, keyCount: number): CursorPosition {
  const invalid = () =>
    badRequest('cursor is not valid for this query: pass the next_cursor of a previous page with the same sort', [
      { path: 'cursor', message: 'Invalid cursor' },
    ]);
  if (!/^[A-Za-z0-9_-]{1,2048}$/.test(cursor)) throw invalid();
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(decoded) || decoded[0] !== expectedSort || decoded.length !== keyCount + 1) throw invalid();
  const values = decoded.slice(1);
  if (!values.every((v) => v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'))
    throw invalid();
  if (typeof values[values.length - 1] !== 'string') throw invalid();
  return { sort: expectedSort, values };
}
