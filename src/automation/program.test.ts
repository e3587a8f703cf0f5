import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileSteps } from './program.ts';

const wait = (seconds: number) => ({ type: 'delay' as const, seconds });
const when = { field: 'object.status', op: 'eq', value: 'done' };

test('a branch becomes a test that skips to its else, and a jump over the else', () => {
  const program = compileSteps([
    wait(1),
    { type: 'branch', if: when, then: [wait(2), wait(3)], else: [wait(4)] },
    wait(5),
  ]);
  assert.deepEqual(program, [
    wait(1),
    { type: 'branch', if: when, else_at: 5 },
    wait(2),
    wait(3),
    { type: 'jump', to: 6 },
    wait(4),
    wait(5),
  ]);
});

test('a branch without else skips past its then; branches nest', () => {
  const program = compileSteps([{ type: 'branch', if: when, then: [{ type: 'branch', if: when, then: [wait(1)] }] }]);
  assert.deepEqual(program, [
    { type: 'branch', if: when, else_at: 3 },
    { type: 'branch', if: when, else_at: 3 },
    wait(1),
  ]);
});
