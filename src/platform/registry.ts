// The registry: every resource declaration, checked for consistency once, and the
// catalogues derived from it (event types, scopes) with what modules add beside resources.
import type { EventType } from './events/event-type.ts';
import type { ActionGate, EventReaction, Registry, ResourceDefinition } from './contract.ts';

export interface RegistryExtras {
  /** Events emitted by no resource's create/update/delete or action (a quota warning). */
  events?: readonly EventType[];
  /** Scopes of operations that belong to no resource (`read:account`). */
  scopes?: readonly string[];
  /** What modules do when events are written. */
  reactions?: readonly EventReaction[];
  /** What may hold actions before they run. */
  gates?: readonly ActionGate[];
}

export class ResourceRegistry implements Registry {
  readonly resources: readonly ResourceDefinition[];
  readonly #byCollection: Map<string, ResourceDefinition>;
  readonly #extras: RegistryExtras;
  readonly #reactions = new Map<string, EventReaction[]>();
  readonly #gates = new Map<string, ActionGate[]>();

  constructor(resources: readonly ResourceDefinition[], extras: RegistryExtras = {}) {
    this.resources = resources;
    this.#extras = extras;
    this.#byCollection = new Map(resources.map((r) => [r.collection, r]));
    this.#check();
    const known = new Set(this.eventTypes().map((event) => event.type));
    for (const reaction of extras.reactions ?? []) {
      for (const type of reaction.on) {
        if (!known.has(type))
          throw new Error(`reaction '${reaction.name}' is to '${type}', which is not an event type`);
        this.#reactions.set(type, [...(this.#reactions.get(type) ?? []), reaction]);
      }
    }
    for (const gate of extras.gates ?? []) {
      for (const { collection, action } of gate.actions) {
        if (!this.#byCollection.get(collection)?.actions[action])
          throw new Error(`gate '${gate.name}' holds ${collection}.${action}, which is not an action`);
        const key = `${collection}.${action}`;
        this.#gates.set(key, [...(this.#gates.get(key) ?? []), gate]);
      }
    }
  }

  gatesOf(collection: string, action: string): readonly ActionGate[] {
    return this.#gates.get(`${collection}.${action}`) ?? [];
  }

  reactionsTo(type: string): readonly EventReaction[] {
    return this.#reactions.get(type) ?? [];
  }

  get(collection: string): ResourceDefinition {
    const resource = this.#byCollection.get(collection);
    if (!resource) throw new Error(`no resource '${collection}' in the registry`);
    return resource;
  }

  /** Every event type any resource can emit, with what causes it. */
  eventTypes(): EventType[] {
    return this.resources
      .filter((r) => r.emitsEvents)
      .flatMap((r) => [
        ...(['created', 'updated', 'deleted'] as const)
          .filter((verb) => r.operations.has(verb === 'created' ? 'create' : verb === 'updated' ? 'update' : 'delete'))
          .map((verb) => ({
            type: `${r.name}.${verb}`,
            collection: r.collection,
            description: `${withArticle(r.name.replaceAll('_', ' '))} was ${verb}.`,
          })),
        ...Object.entries(r.actions)
          .filter(([, action]) => action.event)
          .map(([name, action]) => ({
            type: `${r.name}.${action.event}`,
            collection: r.collection,
            description: `Sent when the ${name} action succeeds (${action.summary}).`,
          })),
      ])
      .concat(this.#extras.events ?? [])
      .filter((e, i, all) => all.findIndex((o) => o.type === e.type) === i);
  }

  /** Every scope a credential can hold. */
  scopes(): string[] {
    return [
      'read:*',
      'write:*',
      ...(this.#extras.scopes ?? []),
      ...this.resources.flatMap((r) => [`read:${r.collection}`, `write:${r.collection}`]),
    ];
  }

  #check() {
    const prefixes = new Set<string>();
    for (const resource of this.resources) {
      if (prefixes.has(resource.idPrefix)) throw new Error(`id prefix '${resource.idPrefix}' is used twice`);
      prefixes.add(resource.idPrefix);
      for (const [name, spec] of Object.entries(resource.fields)) {
        if (spec.ref && !this.#byCollection.has(spec.ref.collection)) {
          throw new Error(`${resource.collection}.${name} refers to unknown collection '${spec.ref.collection}'`);
        }
      }
      const assignment = resource.assignment;
      if (assignment && 'field' in assignment && resource.fields[assignment.field]?.ref?.collection !== 'users') {
        throw new Error(`${resource.collection}: assignment field '${assignment.field}' must refer to users`);
      }
      if (assignment && 'through' in assignment && !resource.fields[assignment.through]?.ref) {
        throw new Error(`${resource.collection}: assignment through '${assignment.through}' must be a ref field`);
      }
      for (const nested of resource.listedUnder ?? []) {
        if (!this.#byCollection.has(nested.collection))
          throw new Error(`${resource.collection}: listed under unknown collection '${nested.collection}'`);
        if (!resource.fields[nested.field]?.filterOperators.includes('eq'))
          throw new Error(`${resource.collection}.${nested.field}: listedUnder needs an eq-filterable field`);
      }
      if (resource.operations.has('update') && !Object.values(resource.fields).some((f) => f.access === 'writable')) {
        throw new Error(`${resource.collection}: update needs a writable field (leave it out of operations)`);
      }
      for (const [name, action] of Object.entries(resource.actions)) {
        if ((action.from || action.to) && !resource.lifecycle)
          throw new Error(`${resource.collection}/${name}: from/to need a lifecycle`);
        if (!action.run === !action.event)
          throw new Error(`${resource.collection}/${name}: declare exactly one of event (with apply) or run`);
        if (!/^[a-z][a-z0-9-]*$/.test(name))
          throw new Error(`${resource.collection}/${name}: action names are kebab-case`);
      }
    }
  }
}

/** "an invoice", "a job": the article a noun is read with (by its first letter, good enough for our names). */
const withArticle = (noun: string) => `${/^[aeiou]/i.test(noun) ? 'An' : 'A'} ${noun}`;
