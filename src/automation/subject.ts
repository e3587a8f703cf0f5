// What a run is about: the collection of its trigger's object, and the paths conditions and
// templates may read (`object.status` must be a field of that collection).
import type { Registry, ResourceDefinition } from '../platform/contract.ts';
import { PATH_ROOTS } from './conditions.ts';
import type { Trigger } from './rule-schema.ts';

const SYSTEM_FIELDS = ['id', 'created_at', 'updated_at'];
const EVENT_MEMBERS = ['id', 'type', 'created_at'];

/** The collection whose object a run of this trigger is about (none for a schedule). */
export function subjectOf(registry: Registry, trigger: Trigger): ResourceDefinition | null {
  const collection =
    trigger.type === 'event'
      ? registry.eventTypes().find((type) => type.type === trigger.event)?.collection
      : trigger.type === 'relative'
        ? trigger.collection
        : undefined;
  return collection && registry.resources.some((r) => r.collection === collection) ? registry.get(collection) : null;
}

/** What runs read as `object`: a collection's record, nothing (a schedule), or an input object of any shape. */
export type Subject = ResourceDefinition | null | 'input';

/** A path's problem, or null: `object.status` must be a field of the subject. */
export function pathProblem(subject: Subject, path: string): string | null {
  const [root, name, ...rest] = path.split('.');
  if (!(PATH_ROOTS as readonly string[]).includes(root))
    return `'${path}' must start with ${PATH_ROOTS.map((r) => `'${r}.'`).join(', ')}`;
  if (!name) return `'${path}' names no field`;
  if (root === 'event')
    return EVENT_MEMBERS.includes(name) && !rest.length ? null : `'event' has only ${EVENT_MEMBERS}`;
  if (!subject) return `'${path}': this trigger has no object (a schedule); only 'event.' paths`;
  if (subject === 'input') return null;
  if (SYSTEM_FIELDS.includes(name)) return rest.length ? `'${path}': ${name} has no members` : null;
  const spec = subject.fields[name];
  if (!spec || spec.writeOnly) return `'${name}' is not a field of ${subject.collection}`;
  if (rest.length && spec.kind !== 'json') return `'${path}': ${name} has no members`;
  return null;
}
