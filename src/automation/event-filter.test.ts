// The event filter never refuses an event the conditions accept: checked in PostgreSQL (PGlite)
// for conditions and events drawn from every operator and every shape of value, missing ones
// included. It also refuses most of what the conditions refuse, or it would be useless.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PGlite } from '@electric-sql/pglite';
import { conditionHolds, OPERATORS, type Condition, type RunScope } from './conditions.ts';
import { eventFilter } from './event-filter.ts';

let db: PGlite;
before(async () => {
  db = new PGlite();
});
after(() => db.close());

let seed = 42;
const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const VALUES = ['done', 'Done', 'vip', 0, 5, 12.5, -3, true, false, null, ['vip', 'x'], [5], 'ada lovelace'];
const FIELDS = ['object.status', 'object.total', 'object.tags', 'object.name', 'previous.status', 'object.missing'];

function randomCondition(depth = 0): Condition {
  const roll = random();
  if (depth < 2 && roll < 0.15) return { and: [randomCondition(depth + 1), randomCondition(depth + 1)] };
  if (depth < 2 && roll < 0.3) return { or: [randomCondition(depth + 1), randomCondition(depth + 1)] };
  if (depth < 2 && roll < 0.35) return { not: randomCondition(depth + 1) };
  const op = pick(OPERATORS);
  const field = pick(FIELDS);
  if (op === 'in' || op === 'nin')
    return { field, op, value: [pick(VALUES), pick(VALUES)].filter((v) => !Array.isArray(v)) };
  if (op === 'exists' || op === 'changed') return { field, op, value: pick([true, false, undefined]) };
  return { field, op, value: pick(VALUES) };
}

function randomEvent(): { object: Record<string, unknown>; previous_attributes?: Record<string, unknown> } {
  const object: Record<string, unknown> = {};
  for (const name of ['status', 'total', 'tags', 'name']) if (random() < 0.8) object[name] = pick(VALUES);
  return random() < 0.5 ? { object, previous_attributes: random() < 0.5 ? { status: pick(VALUES) } : {} } : { object };
}

test('lets through every event the conditions accept, and refuses most of the others', async () => {
  let refusedByBoth = 0;
  let refusedByConditions = 0;
  for (let i = 0; i < 400; i++) {
    const conditions = randomCondition();
    const filter = eventFilter(conditions);
    for (let j = 0; j < 5; j++) {
      const data = randomEvent();
      const scope: RunScope = {
        event: { id: 'evt_1', type: 'job.updated' },
        object: data.object,
        previous: data.previous_attributes ?? {},
        record: null,
      };
      const holds = conditionHolds(conditions, scope);
      const { rows } = filter
        ? await db.query<{ passes: boolean | null }>('SELECT $1::jsonb @@ $2::jsonpath AS passes', [
            JSON.stringify(data),
            filter,
          ])
        : { rows: [{ passes: true }] };
      const passes = rows[0]!.passes === true;
      if (holds)
        assert.ok(passes, `refused an event the conditions accept: ${JSON.stringify({ conditions, data, filter })}`);
      if (!holds) refusedByConditions++;
      if (!holds && !passes) refusedByBoth++;
    }
  }
  assert.ok(
    refusedByBoth > refusedByConditions / 3,
    `filters refuse too little: ${refusedByBoth}/${refusedByConditions}`,
  );
});

test('is left out when it could refuse nothing', () => {
  assert.equal(eventFilter(null), null);
  assert.equal(eventFilter({ not: { field: 'object.status', op: 'eq', value: 'done' } }), null);
  assert.equal(eventFilter({ field: 'record.status', op: 'eq', value: 'done' }), null);
  assert.equal(eventFilter({ field: 'object.status', op: 'eq', value: 'done' }), '$."object"."status" == "done"');
});
