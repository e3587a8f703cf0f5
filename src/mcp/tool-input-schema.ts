// A tool's input as one self-contained JSON Schema, read from the operation the OpenAPI
// document describes (itself built from the declarations' Zod schemas), so a tool's arguments
// can never drift from the HTTP contract. Path and query parameters become properties; a JSON
// object body's members join them (`customers_update({ id, name })`), any other body is `body`.

type JsonSchema = Record<string, any>;
type OpenApiDocument = {
  components?: { schemas?: Record<string, JsonSchema>; parameters?: Record<string, JsonSchema> };
};

/** How a tool's arguments map back onto the HTTP request. */
export interface ToolInput {
  schema: JsonSchema;
  pathParams: string[];
  queryParams: string[];
  /** `members`: the body's members are top-level arguments; `body`: the body is the `body` argument. */
  bodyShape: 'none' | 'members' | 'body';
}

/** Replaces `#/components/...` references with what they name; a reference back into itself stays an open object. */
export function inlineReferences(document: OpenApiDocument, schema: unknown, seen: readonly string[] = []): any {
  if (Array.isArray(schema)) return schema.map((item) => inlineReferences(document, item, seen));
  if (!schema || typeof schema !== 'object') return schema;
  const ref = (schema as JsonSchema).$ref;
  if (typeof ref === 'string') {
    const [, , section, name] = ref.split('/');
    const target = (document.components as Record<string, Record<string, JsonSchema>> | undefined)?.[section]?.[name];
    if (!target || seen.includes(ref)) return { type: 'object' };
    return inlineReferences(document, target, [...seen, ref]);
  }
  return Object.fromEntries(
    Object.entries(schema).map(([key, value]) => [key, inlineReferences(document, value, seen)]),
  );
}

export function toolInputOf(document: OpenApiDocument, operation: JsonSchema): ToolInput {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  const pathParams: string[] = [];
  const queryParams: string[] = [];
  for (const reference of operation.parameters ?? []) {
    const parameter = inlineReferences(document, reference);
    if (parameter.in !== 'path' && parameter.in !== 'query') continue; // headers (Idempotency-Key) are the transport's
    (parameter.in === 'path' ? pathParams : queryParams).push(parameter.name);
    properties[parameter.name] = {
      ...parameter.schema,
      ...(parameter.description ? { description: parameter.description } : {}),
    };
    if (parameter.required) required.push(parameter.name);
  }
  const bodySchema = operation.requestBody?.content?.['application/json']?.schema;
  let bodyShape: ToolInput['bodyShape'] = 'none';
  if (bodySchema) {
    const body = inlineReferences(document, bodySchema);
    const members =
      body.type === 'object' && body.properties && !body.oneOf && !body.anyOf && !body.allOf
        ? (body.properties as JsonSchema)
        : null;
    if (members && Object.keys(members).every((name) => !(name in properties))) {
      Object.assign(properties, members);
      required.push(...(body.required ?? []));
      bodyShape = 'members';
    } else {
      properties.body = body;
      if (operation.requestBody.required) required.push('body');
      bodyShape = 'body';
    }
  }
  return {
    schema: { type: 'object', properties, ...(required.length ? { required } : {}), additionalProperties: false },
    pathParams,
    queryParams,
    bodyShape,
  };
}

/** A tool's arguments -> the request's path parameters, query string and body. */
export function requestOf(input: ToolInput, args: Record<string, unknown>) {
  const params: Record<string, string> = {};
  const query = new URLSearchParams();
  const body: Record<string, unknown> = {};
  const invalid: string[] = [];
  for (const [name, value] of Object.entries(args)) {
    if (value === undefined) continue;
    if (input.pathParams.includes(name) || input.queryParams.includes(name)) {
      // Agents often send null for "not given"; in a path or query string it can only mean that.
      if (value === null) continue;
      if (typeof value === 'object' && !(input.queryParams.includes(name) && Array.isArray(value))) {
        invalid.push(name);
        continue;
      }
      if (input.pathParams.includes(name)) params[name] = String(value);
      else query.set(name, Array.isArray(value) ? value.join(',') : String(value));
    } else body[name] = value;
  }
  // Over HTTP a path always has its segments; a tool call may leave one out.
  const missing = input.pathParams.filter((name) => params[name] === undefined || params[name] === '');
  return {
    params,
    query,
    body: input.bodyShape === 'body' ? args.body : input.bodyShape === 'members' ? body : undefined,
    unknown: input.bodyShape === 'none' ? Object.keys(body) : [],
    missing,
    invalid,
  };
}
