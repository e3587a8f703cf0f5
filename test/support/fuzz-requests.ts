// fast-check arbitraries for requests to one operation of the OpenAPI document: values built from
// its JSON schemas, mixed with hostile ones (wrong types, nulls, boundary numbers, huge, unicode
// and NUL strings, deep nesting, unknown members, bad ids, filters and cursors, wrong bodies).
// URLs are only ever local: nothing a fuzzed request makes the server send can leave the machine.
import fc from 'fast-check';

type Json = Record<string, any>;

export interface FuzzedRequest {
  path: string;
  query: Record<string, string>;
  body?: { raw: string; contentType: string };
}

const LOCAL_URL = 'http://127.0.0.1:9/fuzz';

/** Values no schema wants: each is a kind of mistake a client makes. */
const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, 0, -1, 2 ** 31, -(2 ** 53), 1e308, 0.5, '', ' ', '\u0000', 'a\u0000b', '\ud800'),
  fc.constantFrom('𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ✓ 東京', "'; DROP TABLE customers; --", '../../etc/passwd', '%00', '{{object.id}}'),
  fc.constantFrom([], {}, [null], JSON.parse('{"__proto__": {"polluted": 1}}'), { constructor: { prototype: 1 } }),
  fc.integer({ min: 1, max: 3 }).map((n) => 'x'.repeat(10 ** (n + 2))),
  fc.integer({ min: 30, max: 200 }).map((depth) => nest(depth)),
);

function nest(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/** Text that never looks like a URL to dial. */
const text = (min = 0, max = 40) =>
  fc.string({ minLength: min, maxLength: max, unit: 'grapheme' }).filter((s) => !/^\s*https?:/i.test(s));

export class RequestArbitraries {
  constructor(
    private readonly document: Json,
    /** Real ids per collection (`customers` -> [cus_...]), for references and path ids. */
    private readonly ids: Map<string, string[]>,
  ) {}

  resolve(node: unknown): Json {
    let current = node as Json;
    for (let hops = 0; current?.$ref && hops < 10; hops++)
      current = current.$ref
        .slice(2)
        .split('/')
        .reduce((at: any, key: string) => at?.[key], this.document);
    return current ?? {};
  }

  /** A value for `schema`: mostly one it describes, sometimes a hostile one. */
  value(node: unknown, depth = 0): fc.Arbitrary<unknown> {
    return fc.oneof({ weight: 4, arbitrary: this.#valid(node, depth) }, { weight: 1, arbitrary: hostile });
  }

  #valid(node: unknown, depth: number): fc.Arbitrary<unknown> {
    const schema = this.resolve(node);
    if (schema.const !== undefined) return fc.constant(schema.const);
    if (Array.isArray(schema.enum) && schema.enum.length) return fc.constantFrom(...schema.enum);
    const branches = schema.anyOf ?? schema.oneOf;
    if (Array.isArray(branches) && branches.length)
      return fc.oneof(...branches.map((branch: unknown) => this.#valid(branch, depth)));
    if (Array.isArray(schema.allOf)) return this.#valid(schema.allOf[0], depth);
    const types: string[] = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
    if (types.length > 1) return fc.oneof(...types.map((type) => this.#valid({ ...schema, type }, depth)));
    const ref = schema['x-fieldline-ref'] as string | undefined;
    if (ref && this.ids.get(ref)?.length) return fc.oneof(fc.constantFrom(...this.ids.get(ref)!), text(1, 30));
    switch (types[0] ?? (schema.properties ? 'object' : undefined)) {
      case 'string':
        return this.#string(schema);
      case 'integer':
        return fc.integer({ min: schema.minimum ?? -1000, max: Math.min(schema.maximum ?? 10 ** 9, 2 ** 31 - 1) });
      case 'number':
        return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e9, noNaN: true });
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      case 'array':
        if (depth > 3) return fc.constant([]);
        return fc.array(this.value(schema.items ?? {}, depth + 1), { maxLength: Math.min(schema.maxItems ?? 3, 3) });
      case 'object':
        return depth > 3 ? fc.constant({}) : this.object(schema, depth + 1);
      default:
        return fc.oneof(text(), fc.integer(), fc.boolean());
    }
  }

  #string(schema: Json): fc.Arbitrary<unknown> {
    const examples = schema.examples ?? (schema.example !== undefined ? [schema.example] : []);
    const local = (value: unknown) => (typeof value === 'string' && /^https?:/i.test(value) ? LOCAL_URL : value);
    const options: fc.Arbitrary<unknown>[] = [text(schema.minLength ?? 0, Math.min(schema.maxLength ?? 40, 60))];
    if (examples.length) options.push(fc.constantFrom(...examples.map(local)));
    if (schema.format === 'date-time')
      options.push(fc.date({ min: new Date('2020-01-01'), max: new Date('2035-01-01'), noInvalidDate: true }).map(iso));
    if (schema.format === 'date')
      options.push(fc.date({ min: new Date('2020-01-01'), max: new Date('2035-01-01'), noInvalidDate: true }).map(day));
    if (schema.format === 'email') options.push(fc.emailAddress());
    if (schema.format === 'uri' || schema.format === 'url') return fc.constant(LOCAL_URL);
    return fc.oneof(...options);
  }

  /** An object of `schema`: its required members, some optional ones, now and then an unknown one. */
  object(schema: Json, depth = 0): fc.Arbitrary<Record<string, unknown>> {
    const properties = Object.entries<Json>(schema.properties ?? {}).filter(([, p]) => !this.resolve(p).readOnly);
    const model = Object.fromEntries(properties.map(([key, property]) => [key, this.value(property, depth)]));
    const required = (schema.required ?? []).filter((key: string) => key in model);
    return fc
      .tuple(
        fc.record(model, { requiredKeys: required }),
        fc.option(fc.dictionary(text(1, 12), hostile, { maxKeys: 2 })),
      )
      .map(([known, unknown]) => ({ ...known, ...(unknown ?? {}) }));
  }

  /** A whole request to `path` (a template) for `operation`. */
  request(path: string, operation: Json, pathItem: Json): fc.Arbitrary<FuzzedRequest> {
    const parameters = [...(pathItem.parameters ?? []), ...(operation.parameters ?? [])].map((p) => this.resolve(p));
    const inPath = parameters.filter((p) => p.in === 'path');
    const inQuery = parameters.filter((p) => p.in === 'query');
    const pathArb = fc
      .tuple(...inPath.map((p) => this.#pathValue(path, p)))
      .map((values) =>
        inPath.reduce((at, p, i) => at.replace(`{${p.name}}`, encodeURIComponent(String(values[i]))), path),
      );
    const queryArb = fc
      .tuple(
        fc.record(Object.fromEntries(inQuery.map((p) => [p.name, this.value(p.schema ?? {})])), { requiredKeys: [] }),
        fc.option(
          fc.constantFrom({ cursor: 'not-a-cursor' }, { 'status[gte]': 'zz' }, { limit: '-5' }, { sort: '-nope' }),
        ),
      )
      .map(([known, extra]) => {
        const query: Record<string, string> = {};
        for (const [key, value] of Object.entries({ ...known, ...(extra ?? {}) }))
          query[key] = typeof value === 'string' ? value : JSON.stringify(value);
        return query;
      });
    const media = this.resolve(operation.requestBody).content ?? {};
    const form = media['application/x-www-form-urlencoded'];
    const bodyArb: fc.Arbitrary<FuzzedRequest['body']> = media['application/json']
      ? fc.oneof(
          { weight: 6, arbitrary: this.value(media['application/json'].schema ?? {}).map(json) },
          { weight: 1, arbitrary: fc.constantFrom('{"unterminated": ', 'null', '[]', '"text"').map(json.raw) },
          { weight: 1, arbitrary: fc.constant({ raw: 'name=x', contentType: 'application/x-www-form-urlencoded' }) },
        )
      : form
        ? fc.oneof(
            { weight: 4, arbitrary: this.object(this.resolve(form.schema ?? {})).map(formBody) },
            { weight: 1, arbitrary: fc.constant({ raw: '{"grant_type": "x"}', contentType: 'application/json' }) },
          )
        : fc.constant(undefined);
    return fc.record({ path: pathArb, query: queryArb, body: bodyArb });
  }

  #pathValue(path: string, parameter: Json): fc.Arbitrary<string> {
    const collection = /^\/v1\/([a-z-]+)\//.exec(path)?.[1];
    const real = collection ? (this.ids.get(collection) ?? []) : [];
    const wrong = fc.oneof(
      text(1, 30),
      fc.constantFrom('cus_00000000000000000000000000', '\u0000', '..', 'x'.repeat(500)),
    );
    return real.length
      ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...real) }, { weight: 1, arbitrary: wrong })
      : wrong;
  }
}

const iso = (date: Date) => date.toISOString();
const day = (date: Date) => date.toISOString().slice(0, 10);
function json(value: unknown): { raw: string; contentType: string } {
  return { raw: JSON.stringify(value) ?? 'null', contentType: 'application/json' };
}
json.raw = (raw: string) => ({ raw, contentType: 'application/json' });
function formBody(fields: Record<string, unknown>): { raw: string; contentType: string } {
  const entries = Object.entries(fields).map(([key, value]): [string, string] => [
    key,
    typeof value === 'string' ? value : (JSON.stringify(value) ?? ''),
  ]);
  return { raw: new URLSearchParams(entries).toString(), contentType: 'application/x-www-form-urlencoded' };
}
