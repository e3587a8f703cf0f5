// A rule's conditions as a SQL/JSON path predicate over the event's data, which the queueing
// trigger applies as it writes the event (`NEW.data @@ filter`): an event the conditions can
// only refuse is then never queued, and a rule costs the write path nothing for it. The filter
// may let through more than the conditions accept (the engine judges again, exactly), never
// less: what it cannot decide from the event alone (the record as it is now, `not`, absent
// values, text matching) it leaves open.
import type { Condition } from './conditions.ts';

/** Undecided: lets every event through. */
const OPEN = null;
const FIELD_NAME = /^[a-z_][a-z0-9_]*$/;

/** `object.customer.name` -> `$."object"."customer"."name"`; null for what the event does not hold. */
function pathOf(field: string): string | null {
  const [root, ...rest] = field.split('.');
  const base = root === 'object' ? 'object' : root === 'previous' ? 'previous_attributes' : null;
  if (!base || !rest.length || !rest.every((step) => FIELD_NAME.test(step))) return null;
  return `$."${base}"${rest.map((step) => `."${step}"`).join('')}`;
}

/** A scalar as a path literal: strings as JSON strings, finite numbers, booleans; null for anything else. */
function literal(value: unknown): string | null {
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

const COMPARISONS: Record<string, string> = { gt: '>', gte: '>=', lt: '<', lte: '<=' };

/** The predicate of a condition, or null (OPEN) when it cannot refuse an event. */
function predicate(condition: Condition): string | null {
  if ('and' in condition) {
    const decided = condition.and.map(predicate).filter((part) => part !== OPEN);
    return decided.length ? `(${decided.join(' && ')})` : OPEN;
  }
  if ('or' in condition) {
    const parts = condition.or.map(predicate);
    return parts.includes(OPEN) ? OPEN : `(${parts.join(' || ')})`;
  }
  if ('not' in condition) return OPEN;
  const path = pathOf(condition.field);
  if (!path) return OPEN;
  const { op, value } = condition;
  if (op === 'eq') {
    // A missing value equals null in the conditions, but fails every comparison in a path.
    const right = literal(value);
    return right ? `${path} == ${right}` : OPEN;
  }
  if (op === 'in') {
    const rights = (value as unknown[]).map(literal);
    return rights.length && rights.every((right) => right !== null)
      ? `(${rights.map((r) => `${path} == ${r}`).join(' || ')})`
      : OPEN;
  }
  if (op in COMPARISONS && typeof value === 'number' && Number.isFinite(value)) {
    return `${path} ${COMPARISONS[op]} ${value}`;
  }
  if (op === 'changed' && (value ?? true) === true && condition.field.startsWith('object.')) {
    // An update's previous attributes hold exactly the fields it changed.
    const previous = pathOf(`previous.${condition.field.slice('object.'.length).split('.')[0]}`);
    return previous ? `exists(${previous})` : OPEN;
  }
  return OPEN;
}

/** The filter of a rule's conditions, or null when it would let every event through. */
export const eventFilter = (conditions: Condition | null | undefined): string | null =>
  conditions ? predicate(conditions) : null;
