// The condition language of automation rules: JSON, no code. A condition is a comparison of one
// field path with a value, or `and` / `or` / `not` of conditions:
//   {"field": "object.total", "op": "gt", "value": 50000}
//   {"and": [{"field": "object.status", "op": "eq", "value": "completed"},
//            {"not": {"field": "object.tags", "op": "contains", "value": "warranty"}}]}
// Paths start at what a run sees: `object` (the event's object), `previous` (the attributes it
// had before an update), `record` (the object as it is now) and `event` (`type`, `id`). Checked
// when a rule is saved (every problem, with its path), evaluated by plain comparisons.

export const OPERATORS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'contains', 'exists', 'changed'] as const;
export type Operator = (typeof OPERATORS)[number];

export type Condition =
  { and: Condition[] } | { or: Condition[] } | { not: Condition } | { field: string; op: Operator; value?: unknown };

export const PATH_ROOTS = ['object', 'previous', 'record', 'event'] as const;

/** What a run's conditions and templates read. */
export interface RunScope {
  event: { id: string; type: string; created_at?: string };
  object: Record<string, unknown>;
  previous: Record<string, unknown>;
  record: Record<string, unknown> | null;
}

const MAX_DEPTH = 6;
const MAX_NODES = 50;
const MAX_LIST = 100;

export interface ConditionProblem {
  path: string;
  message: string;
}

/** Whether a field path names something the run will have; a message when it does not. */
export type PathCheck = (path: string) => string | null;

/** Every problem of a condition as saved, each at its place (`conditions.and.1.field`). */
export function conditionProblems(input: unknown, checkPath: PathCheck, at = 'conditions'): ConditionProblem[] {
  const problems: ConditionProblem[] = [];
  let nodes = 0;
  const visit = (node: unknown, path: string, depth: number): void => {
    if (++nodes > MAX_NODES) {
      if (nodes === MAX_NODES + 1) problems.push({ path: at, message: `at most ${MAX_NODES} conditions in all` });
      return;
    }
    if (depth > MAX_DEPTH) return void problems.push({ path, message: `nested deeper than ${MAX_DEPTH} levels` });
    if (!node || typeof node !== 'object' || Array.isArray(node))
      return void problems.push({ path, message: 'must be an object: {field, op, value} or {and | or | not}' });
    const keys = Object.keys(node);
    const entries = node as Record<string, unknown>;
    for (const group of ['and', 'or'] as const) {
      if (!(group in entries)) continue;
      if (keys.length !== 1)
        return void problems.push({ path, message: `'${group}' stands alone in its object, without other members` });
      const list = entries[group];
      if (!Array.isArray(list) || list.length === 0)
        return void problems.push({ path: `${path}.${group}`, message: 'must be a non-empty array of conditions' });
      list.forEach((child, i) => visit(child, `${path}.${group}.${i}`, depth + 1));
      return;
    }
    if ('not' in entries) {
      if (keys.length !== 1)
        return void problems.push({ path, message: "'not' stands alone in its object, without other members" });
      return visit(entries.not, `${path}.not`, depth + 1);
    }
    const unknown = keys.filter((key) => !['field', 'op', 'value'].includes(key));
    for (const key of unknown) problems.push({ path: `${path}.${key}`, message: 'is not a member of a condition' });
    if (typeof entries.field !== 'string')
      problems.push({ path: `${path}.field`, message: 'a field path is required' });
    else {
      const problem = checkPath(entries.field);
      if (problem) problems.push({ path: `${path}.field`, message: problem });
    }
    if (!OPERATORS.includes(entries.op as Operator))
      return void problems.push({ path: `${path}.op`, message: `must be one of ${OPERATORS.join(', ')}` });
    problems.push(...valueProblems(entries.op as Operator, entries.value, 'value' in entries, `${path}.value`));
  };
  visit(input, at, 1);
  return problems;
}

function valueProblems(op: Operator, value: unknown, given: boolean, path: string): ConditionProblem[] {
  if (op === 'exists' || op === 'changed') {
    if (given && typeof value !== 'boolean') return [{ path, message: `'${op}' takes true, false or no value` }];
    return [];
  }
  if (!given) return [{ path, message: `'${op}' needs a value` }];
  if (op === 'in' || op === 'nin') {
    if (!Array.isArray(value) || value.length === 0 || value.length > MAX_LIST)
      return [{ path, message: `'${op}' takes an array of 1 to ${MAX_LIST} values` }];
    if (value.some((item) => item !== null && typeof item === 'object'))
      return [{ path, message: `'${op}' compares with strings, numbers, booleans or null` }];
    return [];
  }
  if (['gt', 'gte', 'lt', 'lte'].includes(op) && typeof value !== 'number' && typeof value !== 'string')
    return [{ path, message: `'${op}' compares with a number, or a string (dates compare as ISO 8601 text)` }];
  if (value !== null && typeof value === 'object') return [{ path, message: 'compares with a single value' }];
  return [];
}

/** The value at a path of the run's scope (undefined when a step is missing). */
export function valueAt(scope: RunScope, path: string): unknown {
  let current: unknown = scope;
  for (const step of path.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, step)) return undefined;
    current = (current as Record<string, unknown>)[step];
  }
  return current;
}

const same = (a: unknown, b: unknown) => (a ?? null) === (b ?? null);

function ordered(left: unknown, right: unknown, test: (comparison: number) => boolean): boolean {
  if (typeof left === 'number' && typeof right === 'number') return test(left - right);
  if (typeof left === 'string' && typeof right === 'string') return test(left < right ? -1 : left > right ? 1 : 0);
  return false; // a missing value or another type is neither greater nor smaller
}

/** Whether the condition holds for the scope (no condition: always). */
export function conditionHolds(condition: Condition | null | undefined, scope: RunScope): boolean {
  if (!condition) return true;
  if ('and' in condition) return condition.and.every((child) => conditionHolds(child, scope));
  if ('or' in condition) return condition.or.some((child) => conditionHolds(child, scope));
  if ('not' in condition) return !conditionHolds(condition.not, scope);
  const left = valueAt(scope, condition.field);
  const right = condition.value;
  switch (condition.op) {
    case 'eq':
      return same(left, right);
    case 'ne':
      return !same(left, right);
    case 'gt':
      return ordered(left, right, (c) => c > 0);
    case 'gte':
      return ordered(left, right, (c) => c >= 0);
    case 'lt':
      return ordered(left, right, (c) => c < 0);
    case 'lte':
      return ordered(left, right, (c) => c <= 0);
    case 'in':
      return (right as unknown[]).some((item) => same(left, item));
    case 'nin':
      return !(right as unknown[]).some((item) => same(left, item));
    case 'contains':
      if (typeof left === 'string')
        return typeof right === 'string' && left.toLowerCase().includes(right.toLowerCase());
      return Array.isArray(left) && left.some((item) => same(item, right));
    case 'exists':
      return (left !== undefined && left !== null) === (right ?? true);
    case 'changed': {
      // An update's previous attributes hold exactly the fields it changed.
      const step = condition.field.slice(condition.field.indexOf('.') + 1);
      return Object.hasOwn(scope.previous, step.split('.')[0]) === (right ?? true);
    }
  }
}
