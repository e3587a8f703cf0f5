// Example request values for an operation of the OpenAPI document: ids for path parameters,
// a short query, and a JSON or multipart body built from its schema. Pure: no DOM, no React, no
// Node: the OpenAPI build puts each JSON body's example in the document, and the developer
// portal's code samples (web/src/code-samples.ts) build the same requests in the browser.

export type Json = Record<string, any>;

export interface ExampleRequest {
  /** Path parameter name -> example value, in path order. */
  path: [string, string][];
  query: Json | undefined;
  body:
    | { kind: 'json'; value: unknown; required: boolean }
    | { kind: 'multipart'; fields: Json; files: Record<string, { fileName: string; contentType: string }> }
    /** An HTML form's fields (the OAuth 2.0 endpoints). */
    | { kind: 'form'; fields: Json }
    | undefined;
}

const DATE = '2030-01-07';
// Sample words for common field names; anything else gets "example".
const WORDS: Record<string, string> = {
  name: 'Ada Lovelace',
  title: 'Replace water heater',
  q: 'ada',
  description: 'Gate code 1234',
  notes: 'Gate code 1234',
  reason: 'Stock count',
  caption: 'Before',
  signer_name: 'Ada Lovelace',
  subject: 'Your visit',
  body: 'On our way',
};
// Fields naming a person: they hold user ids.
const PEOPLE = new Set(['technician', 'assignee', 'author', 'owner', 'sent_by', 'created_by']);

export function resolveRef(document: Json, node: unknown): Json {
  let current = node as Json | undefined;
  const seen = new Set<string>();
  while (current && typeof current.$ref === 'string') {
    if (seen.has(current.$ref) || !current.$ref.startsWith('#/')) return {};
    seen.add(current.$ref);
    current = current.$ref
      .slice(2)
      .split('/')
      .reduce<any>((at, key) => at?.[key.replaceAll('~1', '/').replaceAll('~0', '~')], document);
  }
  return current ?? {};
}

const prefixCache = new WeakMap<Json, Map<string, string>>();

/** Object type (`customer`) -> id prefix (`cus`), read from each schema's id example. */
function idPrefixes(document: Json): Map<string, string> {
  const cached = prefixCache.get(document);
  if (cached) return cached;
  const prefixes = new Map<string, string>();
  prefixCache.set(document, prefixes);
  for (const schema of Object.values<Json>(document.components?.schemas ?? {})) {
    const type = schema.properties?.object?.const;
    const example = schema.properties?.id?.examples?.[0] ?? schema.properties?.id?.example;
    const prefix = typeof example === 'string' ? /^([a-z]+)_/.exec(example)?.[1] : undefined;
    if (typeof type === 'string' && prefix) prefixes.set(type, prefix);
  }
  return prefixes;
}

/** `customer_id` -> `cus_123`; `contact_ids` -> `con_123`; unknown objects keep their own name. */
function exampleId(document: Json, field: string): string {
  const base = field.replace(/_ids?$/, '');
  if (base === 'account') return 'acct_123';
  const prefixes = idPrefixes(document);
  const type = PEOPLE.has(base)
    ? 'user'
    : prefixes.has(base)
      ? base
      : [...prefixes.keys()].find((name) => name.endsWith(`_${base}`) || base.endsWith(`_${name}`));
  return `${type ? prefixes.get(type) : base}_123`;
}

function firstExample(schema: Json): unknown {
  if (Array.isArray(schema.examples) && schema.examples.length) return schema.examples[0];
  return schema.example;
}

/** The schema without `null` branches or `allOf` layers: what a value must look like. */
function concrete(document: Json, node: unknown): Json {
  let schema = resolveRef(document, node);
  for (let depth = 0; depth < 8; depth++) {
    const branches = schema.anyOf ?? schema.oneOf;
    if (Array.isArray(branches)) {
      const chosen = branches.map((b: unknown) => resolveRef(document, b)).find((b: Json) => b.type !== 'null');
      if (!chosen) return {};
      schema = {
        ...chosen,
        description: schema.description ?? chosen.description,
        examples: schema.examples ?? chosen.examples,
      };
    } else if (Array.isArray(schema.allOf)) {
      const parts = schema.allOf.map((p: unknown) => concrete(document, p));
      schema = {
        type: 'object',
        properties: Object.assign({}, ...parts.map((p: Json) => p.properties ?? {})),
        required: parts.flatMap((p: Json) => p.required ?? []),
      };
    } else return schema;
  }
  return schema;
}

function hasExample(document: Json, node: unknown): boolean {
  const schema = resolveRef(document, node);
  return firstExample(schema) !== undefined || firstExample(concrete(document, node)) !== undefined;
}

/** A value for one field or parameter, from its example, enum, format, type and name. */
export function exampleValue(document: Json, node: unknown, name: string, depth = 0): unknown {
  const outer = resolveRef(document, node);
  if (firstExample(outer) !== undefined) return firstExample(outer);
  const schema = concrete(document, node);
  if (firstExample(schema) !== undefined) return firstExample(schema);
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type.find((t: string) => t !== 'null') : schema.type;
  if (type === 'object' || schema.properties) return depth > 3 ? {} : exampleObject(document, schema, depth + 1, false);
  if (type === 'array')
    return depth > 3 ? [] : [exampleValue(document, schema.items ?? {}, name.replace(/s$/, ''), depth + 1)];
  if (type === 'integer' || type === 'number') {
    const low = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : undefined);
    return Math.min(low ?? 1, schema.maximum ?? Number.POSITIVE_INFINITY);
  }
  if (type === 'boolean') return true;
  if (schema.format === 'email') return 'ada@example.com';
  if (schema.format === 'date') return DATE;
  if (schema.format === 'date-time') return /(end|until)/.test(name) ? `${DATE}T11:00:00Z` : `${DATE}T09:00:00Z`;
  if (schema.format === 'uri' || schema.format === 'url') return 'https://example.com';
  if (typeof schema.pattern === 'string' && /^\^[a-z]+_$/.test(schema.pattern)) return `${schema.pattern.slice(1)}123`;
  if (/_ids?$/.test(name)) return exampleId(document, name);
  return WORDS[name] ?? 'example';
}

/**
 * The required fields, then optional ones that carry an example (up to three fields in all, or
 * one more than the required: an optional field may be what makes the object whole); a PATCH's
 * change, one field. `atLeastOne`: a body that must say something (PATCH) gets its first field
 * when nothing else qualifies.
 */
export function exampleObject(document: Json, node: unknown, depth: number, atLeastOne: boolean): Json {
  const schema = concrete(document, node);
  const properties = Object.entries<Json>(schema.properties ?? {}).filter(([, p]) => !resolveRef(document, p).readOnly);
  const required = new Set<string>(schema.required ?? []);
  const chosen = properties.filter(([key]) => required.has(key));
  // A change (PATCH) shows one field changed: more would tie the example to the object's state.
  const most = atLeastOne && required.size === 0 ? 1 : Math.max(3, required.size + 1);
  for (const entry of properties) {
    if (chosen.length >= most) break;
    if (!required.has(entry[0]) && hasExample(document, entry[1])) chosen.push(entry);
  }
  if (chosen.length === 0 && atLeastOne && properties.length) chosen.push(properties[0]!);
  return Object.fromEntries(chosen.map(([key, property]) => [key, exampleValue(document, property, key, depth)]));
}

function operationParameters(document: Json, pathItem: Json, operation: Json): Json[] {
  const byKey = new Map<string, Json>();
  for (const raw of [...(pathItem.parameters ?? []), ...(operation.parameters ?? [])]) {
    const parameter = resolveRef(document, raw);
    byKey.set(`${parameter.in}:${parameter.name}`, parameter);
  }
  return [...byKey.values()];
}

/** File name for an upload: the path's last word, singular, with the type's extension. */
function uploadName(path: string, contentType: string): string {
  const word =
    path
      .split('/')
      .filter((s) => s && !s.startsWith('{'))
      .pop()
      ?.replace(/s$/, '') ?? 'file';
  const extension = /png/.test(contentType)
    ? 'png'
    : /pdf/.test(contentType)
      ? 'pdf'
      : /image/.test(contentType)
        ? 'jpg'
        : 'bin';
  return `${word}.${extension}`;
}

/** A bulk create's `data` is any object: give it what the collection's own create takes. */
function fillBulkCreate(document: Json, path: string, value: Json | undefined): void {
  const first = value?.operations?.[0];
  if (!path.endsWith('/bulk') || first?.action !== 'create' || Object.keys(first.data ?? {}).length) return;
  const create = document.paths?.[path.slice(0, -'/bulk'.length)]?.post;
  const schema = resolveRef(document, create?.requestBody).content?.['application/json']?.schema;
  if (schema) first.data = exampleObject(document, schema, 0, false);
}

export function exampleRequest(document: Json, method: string, path: string, operation: Json): ExampleRequest {
  const pathItem = document.paths?.[path] ?? {};
  const parameters = operationParameters(document, pathItem, operation);
  const pathValues: [string, string][] = [...path.matchAll(/\{([^}]+)\}/g)].map(([, name]) => {
    const parameter = parameters.find((p) => p.in === 'path' && p.name === name);
    return [name!, String(exampleValue(document, parameter?.schema ?? {}, name!))];
  });
  const queryParameters = parameters.filter((p) => p.in === 'query');
  const query: Json = {};
  const pages = queryParameters.some((p) => p.name === 'cursor') && queryParameters.some((p) => p.name === 'limit');
  if (pages) query.limit = 10;
  for (const parameter of queryParameters) {
    if (parameter.required) query[parameter.name] = exampleValue(document, parameter.schema ?? {}, parameter.name);
  }
  const requestBody = resolveRef(document, operation.requestBody);
  const content = requestBody.content ?? {};
  let body: ExampleRequest['body'];
  if (content['application/json']) {
    const schema = concrete(document, content['application/json'].schema ?? {});
    const isObject = schema.type === 'object' || schema.properties;
    const value = isObject ? exampleObject(document, schema, 0, method === 'PATCH') : undefined;
    const empty = value === undefined || Object.keys(value).length === 0;
    body =
      empty && !requestBody.required
        ? undefined
        : { kind: 'json', value: value ?? {}, required: Boolean(requestBody.required) };
    fillBulkCreate(document, path, value);
  } else if (content['multipart/form-data']) {
    const media = content['multipart/form-data'];
    const schema = concrete(document, media.schema ?? {});
    const fields: Json = {};
    const files: Record<string, { fileName: string; contentType: string }> = {};
    for (const [key, property] of Object.entries<Json>(schema.properties ?? {})) {
      const field = concrete(document, property);
      if (field.format === 'binary') {
        const contentType = String(media.encoding?.[key]?.contentType ?? 'application/octet-stream')
          .split(',')[0]!
          .trim();
        files[key] = { fileName: uploadName(path, contentType), contentType };
      } else if ((schema.required ?? []).includes(key) || Object.keys(fields).length < 2) {
        fields[key] = exampleValue(document, property, key);
      }
    }
    body = { kind: 'multipart', fields, files };
  } else if (content['application/x-www-form-urlencoded']) {
    const schema = concrete(document, content['application/x-www-form-urlencoded'].schema ?? {});
    const fields: Json = {};
    for (const [key, property] of Object.entries<Json>(schema.properties ?? {})) {
      if ((schema.required ?? []).includes(key)) fields[key] = exampleValue(document, property, key);
    }
    body = { kind: 'form', fields };
  }
  return { path: pathValues, query: Object.keys(query).length ? query : undefined, body };
}
