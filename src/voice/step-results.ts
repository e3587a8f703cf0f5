// What a step answered, shortened for the plan and the log: ids, names and states, never whole
// records (a command's log stays small, and a summary is what a person hears read back).
import { labelOf } from './plan.ts';

/** Members worth saying about an object, when it has them. */
const SALIENT = [
  'status',
  'email',
  'phone',
  'customer_id',
  'job_id',
  'technician_id',
  'scheduled_start',
  'scheduled_end',
  'total',
  'amount_due',
  'currency',
  'role',
] as const;
const MAX_ITEMS = 10;
const SPOKEN_ITEMS = 5;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null;

function compactObject(record: Json): Json {
  const out: Json = { id: record.id, object: record.object, name: labelOf(record) };
  for (const field of SALIENT) if (record[field] !== undefined && record[field] !== null) out[field] = record[field];
  return out;
}

function describeObject(record: Json): string {
  const parts = [`${record.object ?? 'object'} ${record.id} “${labelOf(record)}”`];
  if (record.status) parts.push(String(record.status));
  if (record.scheduled_start) parts.push(`starts ${record.scheduled_start}`);
  return parts.join(', ');
}

/** A list's page or an object, shortened. */
export function compactResult(body: Json): unknown {
  const data = body.data;
  if (Array.isArray(data)) {
    const page = isObject(body.page) ? body.page : {};
    return {
      count: data.length,
      has_more: page.has_more === true,
      items: data.slice(0, MAX_ITEMS).map((item) => (isObject(item) ? compactObject(item) : item)),
    };
  }
  return isObject(data) ? compactObject(data) : null;
}

/** What a step found or did, in a sentence. */
export function summarize(body: Json, verb: string): string {
  const data = body.data;
  if (Array.isArray(data)) {
    const more = isObject(body.page) && body.page.has_more === true;
    if (!data.length) return `${verb}: nothing found`;
    const named = data.slice(0, SPOKEN_ITEMS).map((item) => (isObject(item) ? `${labelOf(item)} (${item.id})` : ''));
    const rest = data.length - named.length;
    const tail = rest > 0 || more ? `, and ${more ? 'more' : `${rest} more`}` : '';
    return `${verb}: found ${data.length}${more ? '+' : ''}: ${named.join(', ')}${tail}`;
  }
  return isObject(data) ? `${verb}: ${describeObject(data)}` : verb;
}
