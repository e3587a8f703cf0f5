// Field builders: one chainable description per field that every surface reads
// (column type, validation, filters, sort, search, relations, OpenAPI).
import { z } from 'zod';

export const FILTER_OPERATORS = [
  'eq',
  'ne',
  'gt',
  'gte',
  'lt',
  'lte',
  'in',
  'nin',
  'contains',
  'starts_with',
  'is_null',
] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

export type FieldKind =
  | 'text'
  | 'integer'
  | 'number'
  | 'money'
  | 'boolean'
  | 'datetime'
  | 'date'
  | 'enum'
  | 'ref'
  | 'tags'
  | 'json'
  | 'currency';
/** writable: create + update; createOnly: set on create, then fixed; readOnly: server-owned. */
export type FieldAccess = 'writable' | 'createOnly' | 'readOnly';

const ORDERED: FilterOperator[] = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'is_null'];
const DEFAULT_OPERATORS: Record<FieldKind, FilterOperator[]> = {
  text: ['eq', 'ne', 'in', 'nin', 'contains', 'starts_with', 'is_null'],
  enum: ['eq', 'ne', 'in', 'nin', 'is_null'],
  ref: ['eq', 'ne', 'in', 'nin', 'is_null'],
  currency: ['eq', 'ne', 'in', 'nin'],
  integer: ORDERED,
  number: ORDERED,
  money: ORDERED,
  datetime: ORDERED,
  date: ORDERED,
  boolean: ['eq', 'ne', 'is_null'],
  tags: ['eq', 'contains', 'in', 'nin'],
  json: [],
};

export interface FieldSpec {
  readonly kind: FieldKind;
  /**
   * Schema of a non-null value as the API reads and writes it. Built on first read: ~400 declared
   * fields made ~1,600 zod objects while the server started, most for resources a process may
   * never validate (bench/README.md, "Lazy field schemas").
   */
  readonly schema: z.ZodType;
  readonly sqlType: string;
  readonly required: boolean;
  readonly defaultValue?: unknown;
  readonly access: FieldAccess;
  readonly filterOperators: readonly FilterOperator[];
  readonly sortable: boolean;
  readonly searchable: boolean;
  readonly unique: boolean;
  /**
   * Accepted on create and update, stored sealed (SecretBox), never
   * read back by the API: secrets we must use but never show.
   */
  readonly writeOnly: boolean;
  readonly enumValues?: readonly string[];
  readonly ref?: { readonly collection: string; readonly expandAs?: string };
  readonly description?: string;
  readonly example?: unknown;
}

/**
 * One field, described by chaining (`field.text().required().searchable()`). `T` is the value it
 * holds; `Present` is true when a row always has one (required, or defaulted), so the row types
 * of hooks and actions know which fields may be null.
 */
export class FieldBuilder<T = unknown, Present extends boolean = boolean> {
  /** Never set: carries the value type. */
  declare readonly value?: T;
  /** Never set: carries whether a row always holds a value. */
  declare readonly present?: Present;

  constructor(readonly spec: FieldSpec) {}

  #with<P extends boolean = Present>(patch: Partial<Omit<FieldSpec, 'schema'>>): FieldBuilder<T, P> {
    // Copied by descriptor, not spread: a spread would read, and so build, the lazy schema.
    const copy = Object.defineProperties({}, Object.getOwnPropertyDescriptors(this.spec)) as FieldSpec;
    return new FieldBuilder<T, P>(Object.assign(copy, patch));
  }

  /** Must be given on create. */
  required() {
    return this.#with<true>({ required: true });
  }
  /** Value used on create when the field is absent. */
  default(value: T) {
    return this.#with<true>({ defaultValue: value });
  }
  /** Server-owned: visible, never writable by clients. */
  readOnly() {
    return this.#with({ access: 'readOnly' });
  }
  /** Set on create, fixed afterwards. */
  createOnly() {
    return this.#with({ access: 'createOnly' });
  }
  /** Usable in list filters; `operators` narrows the kind's default set. */
  filterable(operators?: FilterOperator[]) {
    return this.#with({ filterOperators: operators ?? DEFAULT_OPERATORS[this.spec.kind] });
  }
  sortable() {
    return this.#with({ sortable: true });
  }
  searchable() {
    return this.#with({ searchable: true });
  }
  /** One row per account may hold a given value. */
  unique() {
    return this.#with({ unique: true });
  }
  /** Lets `expand=name` embed the referenced object. */
  expand(name: string) {
    return this.#with({ ref: { collection: this.spec.ref!.collection, expandAs: name } });
  }
  describe(description: string) {
    return this.#with({ description });
  }
  /** JSON stored as written (`json`, not `jsonb`): keys keep their order; not for filtering. */
  keepKeyOrder() {
    return this.#with({ sqlType: 'json' });
  }
  example(example: unknown) {
    return this.#with({ example });
  }
}

function make<T, P extends boolean = false>(
  kind: FieldKind,
  buildSchema: () => z.ZodType,
  sqlType: string,
  extra: Partial<Omit<FieldSpec, 'schema'>> = {},
): FieldBuilder<T, P> {
  let schema: z.ZodType | undefined;
  return new FieldBuilder<T, P>({
    kind,
    get schema() {
      return (schema ??= buildSchema());
    },
    sqlType,
    required: false,
    access: 'writable',
    filterOperators: [],
    sortable: false,
    searchable: false,
    unique: false,
    writeOnly: false,
    ...extra,
  });
}

const ISO_CURRENCY = /^[A-Z]{3}$/;
const STORABLE_YEAR = /^(?!0000)\d{4}-/; // PostgreSQL has no year zero
const YEAR_RANGE = 'is out of range: years run from 0001 to 9999';

/**
 * An RFC 3339 date-time PostgreSQL can store, normalised to UTC with milliseconds. For fields and action inputs alike.
 */
export const timestampSchema = () =>
  z.iso
    .datetime({ offset: true })
    .transform((s) => new Date(s).toISOString())
    .refine((s) => STORABLE_YEAR.test(s), YEAR_RANGE);
/** A calendar date (YYYY-MM-DD) PostgreSQL can store. */
export const dateSchema = () => z.iso.date().refine((s) => STORABLE_YEAR.test(s), YEAR_RANGE);

export const field = {
  /** Text; `pattern` (with the `message` a mismatch gets) when only some shapes are valid. */
  text: (options: { max?: number; min?: number; pattern?: RegExp; message?: string } = {}) =>
    make<string>(
      'text',
      () => {
        const text = z
          .string()
          .trim()
          .min(options.min ?? 0)
          .max(options.max ?? 10_000);
        return options.pattern ? text.regex(options.pattern, options.message) : text;
      },
      'text',
    ),
  email: () =>
    make<string>(
      'text',
      () =>
        z
          .email()
          .max(320)
          .transform((s) => s.toLowerCase()),
      'text',
      { example: 'ada@example.com' },
    ),
  /** An absolute http(s) URL. */
  url: () =>
    make<string>('text', () => z.url({ protocol: /^https?$/ }).max(2048), 'text', {
      example: 'https://example.com/hooks/fieldline',
    }),
  color: () =>
    make<string>('text', () => z.string().regex(/^#[0-9A-Fa-f]{6}$/, 'Expected a hex colour such as #1E88E5'), 'text', {
      example: '#1E88E5',
    }),
  phone: () =>
    make<string>(
      'text',
      () =>
        z
          .string()
          .trim()
          .regex(/^\+?[0-9 ().-]{5,32}$/, 'Invalid phone number'),
      'text',
      { example: '+1 555 0100' },
    ),
  integer: (options: { min?: number; max?: number } = {}) =>
    make<number>(
      'integer',
      () =>
        z
          .int()
          .min(options.min ?? -2_147_483_648)
          .max(options.max ?? 2_147_483_647),
      'integer',
    ),
  /** A measurement that may have a fraction (a percentage, milliseconds); never money. */
  number: (options: { min?: number; max?: number } = {}) =>
    make<number>(
      'number',
      () =>
        z
          .number()
          .min(options.min ?? -1e15)
          .max(options.max ?? 1e15),
      'double precision',
    ),
  /** An amount in the currency's minor unit (cents). */
  money: (options: { min?: number } = {}) =>
    make<number>(
      'money',
      () =>
        z
          .int()
          .min(options.min ?? 0)
          .max(Number.MAX_SAFE_INTEGER),
      'bigint',
      { example: 12500 },
    ),
  currency: () =>
    make<string>(
      'currency',
      () => z.string().toUpperCase().regex(ISO_CURRENCY, 'Expected an ISO 4217 code such as USD'),
      'text',
      { example: 'USD' },
    ),
  boolean: () => make<boolean>('boolean', () => z.boolean(), 'boolean'),
  datetime: () => make<string>('datetime', timestampSchema, 'timestamptz', { example: '2026-01-15T09:30:00.000Z' }),
  date: () => make<string>('date', dateSchema, 'date', { example: '2026-01-31' }),
  enum: <const T extends readonly [string, ...string[]]>(values: T) =>
    make<T[number]>('enum', () => z.enum(values), 'text', { enumValues: values }),
  /** A reference to an object of `collection` in the same account. */
  ref: (collection: string) => make<string>('ref', () => z.string().min(1).max(64), 'text', { ref: { collection } }),
  tags: () =>
    make<string[], true>('tags', () => z.array(z.string().trim().min(1).max(64)).max(50), 'text[]', {
      defaultValue: [],
    }),
  /** JSON of the shape `schema` describes (built by the caller, so not deferred). */
  json: <S extends z.ZodType>(schema: S) => make<z.output<S>>('json', () => schema, 'jsonb'),
  /**
   * A secret the server must read back (a provider's signing secret): write-only, stored
   * encrypted, absent from every response, event, list and export.
   */
  secret: (options: { min?: number; max?: number; pattern?: RegExp; message?: string } = {}) =>
    make<string>(
      'text',
      () =>
        z
          .string()
          .min(options.min ?? 8)
          .max(options.max ?? 500)
          .regex(options.pattern ?? /[\s\S]*/, options.message),
      'text',
      { writeOnly: true },
    ),
};

/**
 * An id of `collection` inside a JSON field (a purchase order line's item): documented as
 * `x-fieldline-ref`. Unlike a ref field, the resource checks that it exists (validate hook).
 */
export const idOfSchema = (collection: string) => z.string().min(1).max(64).meta({ 'x-fieldline-ref': collection });
