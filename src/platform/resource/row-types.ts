// A resource's rows as its code sees them, typed from the field builders of its declaration.
import type { FieldBuilder } from './fields.ts';

/** A declaration's fields: name -> builder. */
export type Fields = Record<string, FieldBuilder<any, boolean>>;
/** What a field holds in a row: its value, or null when it is neither required nor defaulted. */
export type ValueOf<B> = B extends FieldBuilder<infer T, infer Present> ? (Present extends true ? T : T | null) : never;
/** A row of a resource as its code sees it: the declared fields, typed, and the system columns. */
export type RowOf<F extends Fields> = { id: string; created_at: string; updated_at: string } & {
  -readonly [K in keyof F]: ValueOf<F[K]>;
};
/** The values the lifecycle field `L` of fields `F` takes (its states). */
export type StatesOf<F extends Fields, L> = L extends keyof F ? Exclude<ValueOf<F[L]>, null> : never;
/** Field names of `F`, as strings. */
export type FieldName<F extends Fields> = keyof F & string;
