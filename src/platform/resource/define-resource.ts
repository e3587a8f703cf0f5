// A resource declaration: everything specific to one collection, and nothing generic. The
// declaration is typed from its fields (contract.ts); defineResource checks what types cannot
// and makes the definition every surface reads (tables, operations, validation, OpenAPI, events).
import type {
  ActionSpec,
  ActionsOf,
  Fields,
  LifecycleSpec,
  OperationName,
  ResourceDefinition,
  ResourceEndpointSpec,
  ResourceHooks,
  ResourceInput,
} from '../contract.ts';
import { isIdOf } from '../ids.ts';

export const ALL_OPERATIONS: readonly OperationName[] = ['list', 'get', 'create', 'update', 'delete', 'bulk', 'export'];

/** Names a client can never write, whatever the declaration says. */
export const SERVER_OWNED = new Set(['id', 'object', 'account_id', 'created_at', 'updated_at', 'deleted_at']);

/** Types a resource endpoint's `run` from its `input` schema. */
export const resourceEndpoint = <I = undefined>(spec: ResourceEndpointSpec<I>): ResourceEndpointSpec<I> => spec;

/** A declaration with its row types let go of: what the engine reads of every resource alike. */
type ErasedInput = Omit<ResourceInput, 'actions' | 'hooks' | 'lifecycle'> & {
  actions?: Record<string, ActionSpec>;
  hooks?: ResourceHooks;
  lifecycle?: LifecycleSpec;
};

/** What no type can say about a declaration, checked when it is made. */
function checkDeclaration(input: ErasedInput, fields: ResourceDefinition['fields']): void {
  const where = input.collection;
  for (const [name, spec] of Object.entries(fields)) {
    if (SERVER_OWNED.has(name)) throw new Error(`${where}: '${name}' is a system field`);
    if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`${where}: field '${name}' must be snake_case`);
    if (
      spec.writeOnly &&
      (spec.filterOperators.length || spec.sortable || spec.searchable || spec.unique || spec.ref)
    ) {
      throw new Error(
        `${where}.${name}: a write-only field cannot be filtered, sorted, searched, unique or a reference`,
      );
    }
  }
  for (const name of input.searchTitle ?? []) {
    if (!fields[name] || fields[name].writeOnly)
      throw new Error(`${where}: searchTitle names '${name}', which is not a readable field`);
  }
  if (input.searchTitle && !Object.values(fields).some((spec) => spec.searchable))
    throw new Error(`${where}: searchTitle needs a searchable field`);
  const lifecycle = input.lifecycle;
  if (lifecycle) {
    const states = fields[lifecycle.field]?.enumValues;
    if (!states) throw new Error(`${where}: the lifecycle field '${lifecycle.field}' is not an enum field`);
    const named = [
      ...(lifecycle.updatableIn ?? []),
      ...(lifecycle.deletableIn ?? []),
      ...Object.values(input.actions ?? {}).flatMap((action) => [
        ...(action.from ?? []),
        ...(action.to ? [action.to] : []),
      ]),
    ];
    const unknown = named.find((state) => !states.includes(state));
    if (unknown) throw new Error(`${where}: '${unknown}' is not a state of ${lifecycle.field} (${states.join(', ')})`);
  }
}

/**
 * A resource's definition from its declaration. The declaration's hooks and actions see rows
 * typed from its fields; the definition, which the engine reads for every resource alike, sees
 * rows of any shape (the one place the declaration's types are let go of).
 */
export function defineResource<
  F extends Fields,
  L extends keyof F & string = never,
  const A extends ActionsOf<F, L> = ActionsOf<F, L>,
>(declared: ResourceInput<F, L, A>): ResourceDefinition<F, L, A> {
  const input = declared as unknown as ErasedInput;
  const fields = Object.fromEntries(Object.entries(input.fields).map(([name, builder]) => [name, builder.spec]));
  checkDeclaration(input, fields);
  const fieldNames = Object.keys(fields).filter((name) => !fields[name].writeOnly);
  const writeOnlyNames = Object.keys(fields).filter((name) => fields[name].writeOnly);
  const idPattern = input.idPattern;
  return {
    ...input,
    fields,
    operations: new Set(input.operations ?? ALL_OPERATIONS),
    actions: input.actions ?? {},
    endpoints: input.endpoints ?? [],
    roles: input.roles ?? {},
    table: input.collection.replace(/-/g, '_'),
    emitsEvents: input.emitsEvents ?? true,
    outputFields: ['id', 'object', ...fieldNames, 'created_at', 'updated_at'],
    selectColumns: ['id', ...fieldNames, 'created_at', 'updated_at'],
    insertColumns: ['id', ...fieldNames, ...writeOnlyNames, 'created_at', 'updated_at'],
    searchFields: fieldNames.filter((name) => fields[name].searchable),
    acceptsId: idPattern ? (id) => idPattern.test(id) : (id) => isIdOf(input.idPrefix, id),
  };
}
