// GET /v1/{collection}/export?format=csv|json: every object matching the list filters,
// streamed page by page (keyset), so memory stays flat however large the account is.
import { AsyncResource } from 'node:async_hooks';
import { badRequest } from '../errors.ts';
import { parseListQuery } from '../query/parse-list-query.ts';
import { sortKeysWithId } from '../query/compile-list.ts';
import { fetchPage } from './list.ts';
import { serialize } from './serialize.ts';
import type { Principal } from './principal.ts';
import type { ResourceDefinition, Runtime } from '../contract.ts';

export const EXPORT_FORMATS = ['csv', 'json'] as const;
const EXPORT_PAGE_SIZE = 500;
const NOT_FOR_EXPORT = ['limit', 'cursor', 'offset', 'count', 'expand'];

/** CSV cell per RFC 4180; text that a spreadsheet would run as a formula is prefixed with '. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function exportOperation(
  runtime: Runtime,
  resource: ResourceDefinition,
  principal: Principal,
  params: URLSearchParams,
) {
  const format = params.get('format') ?? 'json';
  if (!(EXPORT_FORMATS as readonly string[]).includes(format))
    throw badRequest(`format: expected csv or json, got '${format}'`, [
      { path: 'format', message: 'expected csv or json' },
    ]);
  for (const name of NOT_FOR_EXPORT) {
    if (params.has(name))
      throw badRequest(`${name}: not supported by export (it returns every matching object)`, [
        { path: name, message: 'not supported by export' },
      ]);
  }
  const query = { ...parseListQuery(resource, params, { ignore: ['format'] }), limit: EXPORT_PAGE_SIZE };
  const columns = resource.outputFields.filter((name) => !query.fields || query.fields.has(name));
  const encoder = new TextEncoder();

  async function* chunks(): AsyncGenerator<string> {
    yield format === 'csv' ? columns.join(',') + '\r\n' : '[';
    let first = true;
    for (;;) {
      const { rows, page } = await fetchPage(runtime, resource, principal, query);
      let text = '';
      for (const row of rows) {
        const object = serialize(resource, row, query.fields);
        if (format === 'csv') text += columns.map((name) => csvCell(object[name])).join(',') + '\r\n';
        else text += (first ? '\n' : ',\n') + JSON.stringify(object);
        first = false;
      }
      if (text) yield text;
      if (!page.has_more) break;
      const last = rows[rows.length - 1];
      query.cursor = {
        sort: query.sortExpression,
        values: sortKeysWithId(query).map((key) => last[key.field] ?? null),
      };
    }
    if (format === 'json') yield first ? ']' : '\n]';
  }

  const iterator = chunks();
  const body = new ReadableStream<Uint8Array>({
    // Pages are pulled as the client reads, from the server's context: bound to the request's
    // (a replica serves them as it serves the request's other reads: tenant-read.ts).
    pull: AsyncResource.bind(async (controller: ReadableStreamDefaultController<Uint8Array>) => {
      const { value, done } = await iterator.next();
      if (done) controller.close();
      else controller.enqueue(encoder.encode(value));
    }),
    async cancel() {
      await iterator.return(undefined);
    },
  });
  const date = new Date().toISOString().slice(0, 10);
  return {
    body,
    contentType: format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
    filename: `${resource.collection}-${date}.${format}`,
  };
}
