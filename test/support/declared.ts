// Typed references to what a resource declares: `field(jobs, 'technician_id')` is checked by
// the compiler against the declaration's fields (likewise its actions and lifecycle states), so
// a test's recipe for a field cannot name one that was renamed or never existed.
import type { Fields, ResourceDefinition, StatesOf } from '../../src/platform/contract.ts';

type AnyDefinition = ResourceDefinition<any, any, any>;
type Declared<R extends AnyDefinition> = NonNullable<R['declared']>;
type FieldsOf<R extends AnyDefinition> = Declared<R>['fields'] extends Fields ? Declared<R>['fields'] : never;

/** `collection.field` of a field the resource declares. */
export const fieldOf = <R extends AnyDefinition>(resource: R, name: keyof FieldsOf<R> & string) =>
  `${resource.collection}.${name}`;

/** `collection.action` of an action the resource declares. */
export const actionOf = <R extends AnyDefinition>(resource: R, name: keyof Declared<R>['actions'] & string) =>
  `${resource.collection}.${name}`;

/** `collection.state` of a state of the resource's lifecycle field. */
export const stateOf = <R extends AnyDefinition>(resource: R, state: StatesOf<FieldsOf<R>, Declared<R>['lifecycle']>) =>
  `${resource.collection}.${state}`;
