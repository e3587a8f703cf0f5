// An event carries its object, so reading it is reading that object: a caller sees the events of
// the collections it may read (`read:customers` for `customer.created`), and those about no
// collection of the API (the account's quota warnings) with `read:events` alone. Used by the
// event list, the event stream and webhook subscriptions alike.
import { hasScope, type Principal } from '../operations/principal.ts';
import type { Registry } from '../contract.ts';

/** Per scope set (credentials keep theirs while cached): the answer does not change. */
const answers = new WeakMap<ReadonlySet<string>, { registry: Registry; types: readonly string[] | null }>();

/** The scope reading an event of this collection needs besides `read:events`, if any. */
export function eventReadScope(registry: Registry, collection: string): string | null {
  return registry.resources.some((resource) => resource.collection === collection) ? `read:${collection}` : null;
}

/** The event types the principal may read; null: all of them. */
export function readableEventTypes(registry: Registry, principal: Principal): readonly string[] | null {
  const known = answers.get(principal.scopes);
  if (known?.registry === registry) return known.types;
  const catalogue = registry.eventTypes();
  const readable = catalogue.filter((event) => {
    const scope = eventReadScope(registry, event.collection);
    return !scope || hasScope(principal, scope);
  });
  const types = readable.length === catalogue.length ? null : readable.map((event) => event.type);
  answers.set(principal.scopes, { registry, types });
  return types;
}

/** The first of `types` (`*`: every type) the principal may not read, with the scope it needs; null if none. */
export function unreadableEventType(
  registry: Registry,
  principal: Principal,
  types: Iterable<string>,
): { type: string; scope: string } | null {
  const readable = readableEventTypes(registry, principal);
  if (!readable) return null;
  const allowed = new Set(readable);
  const catalogue = registry.eventTypes();
  for (const type of types)
    for (const event of catalogue.filter((e) => (type === '*' || e.type === type) && !allowed.has(e.type)))
      return { type: event.type, scope: eventReadScope(registry, event.collection)! };
  return null;
}
