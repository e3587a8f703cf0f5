// Code samples for one API operation: curl, the TypeScript SDK and the Python SDK, written from
// its OpenAPI entry and its `x-fieldline-sdk` name with the SDKs' own calling conventions
// (TypeScript: path ids, body, query; Python: path ids, then keyword arguments). Pure: no DOM.
import {
  exampleRequest,
  resolveRef,
  type ExampleRequest,
  type Json,
} from '../../src/platform/openapi/request-examples.ts';

export interface SampleOperation {
  method: string;
  path: string;
  /** `x-fieldline-sdk`, e.g. `jobs.complete`; operations without one have only a curl sample. */
  sdkName?: string;
  operation: Json;
}

export interface CodeSamples {
  curl: string;
  typescript: string | null;
  python: string | null;
}

/** Verbatim code inside a literal (reading a file), not a JSON value. */
class Code {
  constructor(readonly text: string) {}
}

type Style = 'ts' | 'py';
const WIDTH = 80;
const STEP: Record<Style, string> = { ts: '  ', py: '    ' };
const PYTHON_KEYWORDS = new Set(
  (
    'False None True and as assert async await break class continue def del elif else except finally for from ' +
    'global if import in is lambda nonlocal not or pass raise return try while with yield'
  ).split(' '),
);
/** Names of the Python SDK methods' own parameters: a body field by one of these names goes in the body dict. */
const PYTHON_PARAMETERS = new Set([
  'self',
  'body',
  'params',
  'files',
  'idempotency_key',
  'content',
  'content_type',
  'last_event_id',
]);

const isIdentifier = (name: string) => /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name);
const pythonKeyword = (name: string) =>
  /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !PYTHON_KEYWORDS.has(name) && !PYTHON_PARAMETERS.has(name);
const tsString = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;

/** `listRecipients` -> `list_recipients`, as sdk/python/generate.py names methods. */
export function pythonName(name: string): string {
  let s = name
    .replace(/[^0-9A-Za-z]+/g, '_')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2');
  s = s.replace(/^_+|_+$/g, '').toLowerCase() || '_';
  if (/^\d/.test(s)) s = `_${s}`;
  return PYTHON_KEYWORDS.has(s) ? `${s}_` : s;
}

/** A value as a TypeScript or Python literal, on one line when it fits `width`. */
function literal(value: unknown, style: Style, indent = '', width = WIDTH, breakLines = false): string {
  if (value instanceof Code) return value.text;
  if (value === null || value === undefined) return style === 'ts' ? (value === null ? 'null' : 'undefined') : 'None';
  if (typeof value === 'boolean') return style === 'ts' ? String(value) : value ? 'True' : 'False';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return style === 'ts' ? tsString(value) : JSON.stringify(value);
  const inner = indent + STEP[style];
  const isArray = Array.isArray(value);
  const entries = isArray
    ? (value as unknown[]).map((item) => [null, item] as const)
    : Object.entries(value as Json).map(
        ([key, item]) =>
          [style === 'ts' ? (isIdentifier(key) ? key : tsString(key)) : JSON.stringify(key), item] as const,
      );
  if (entries.length === 0) return isArray ? '[]' : '{}';
  const render = (at: string, w: number) =>
    entries.map(([key, item]) => `${key === null ? '' : `${key}: `}${literal(item, style, at, w)}`);
  const flat = render('', Number.POSITIVE_INFINITY).join(', ');
  const [open, close] = isArray ? ['[', ']'] : style === 'ts' ? ['{ ', ' }'] : ['{', '}'];
  const oneLine = `${open}${flat}${close}`;
  if (!breakLines && indent.length + oneLine.length <= width && !oneLine.includes('\n')) return oneLine;
  return `${open.trim()}\n${render(inner, width)
    .map((line) => `${inner}${line},`)
    .join('\n')}\n${indent}${close.trim()}`;
}

type Argument = { value: unknown } | { keyword: string; value: unknown };

/**
 * `prefix(args)` on one line when it fits, else its last object
 * argument (TS) or every argument (Python) on lines of their own.
 */
function call(prefix: string, args: Argument[], style: Style, suffix = ''): string {
  const one = (arg: Argument, indent: string, width: number, breakLines = false) =>
    ('keyword' in arg ? `${arg.keyword}=` : '') + literal(arg.value, style, indent, width, breakLines);
  const flat = `${prefix}(${args.map((a) => one(a, '', Number.POSITIVE_INFINITY)).join(', ')})${suffix}`;
  if (flat.length <= WIDTH || args.length === 0) return flat;
  const last = args[args.length - 1]!;
  // TS style, and Python's for a dict or list passed by position: the last argument opens on the call's line.
  const hugs =
    style === 'ts' ||
    (args.every((a) => !('keyword' in a)) &&
      typeof last.value === 'object' &&
      last.value !== null &&
      !(last.value instanceof Code));
  if (hugs) {
    const head = args.slice(0, -1).map((a) => one(a, '', Number.POSITIVE_INFINITY));
    return `${prefix}(${[...head, one(last, '', WIDTH, true)].join(', ')})${suffix}`;
  }
  return `${prefix}(\n${args.map((a) => `${STEP.py}${one(a, STEP.py, WIDTH)},`).join('\n')}\n)${suffix}`;
}

interface Answer {
  /** What the TypeScript method resolves to. */
  typescript: 'page' | 'data' | 'json' | 'raw' | 'empty';
  /** What the Python method returns. */
  python: 'page' | 'data' | 'json' | 'bytes' | 'stream' | 'none';
  /** The answer's schema name (`Customer`), for a variable name. */
  schemaName: string | undefined;
  stream: boolean;
  text: boolean;
}

/** The answer's shape, decided as each SDK generator decides it. */
function answerOf(document: Json, operation: Json, paged: boolean): Answer {
  const success = Object.keys(operation.responses ?? {})
    .filter((code) => /^2\d\d$/.test(code))
    .sort();
  const contents = success.map((code) => resolveRef(document, operation.responses[code]).content ?? {});
  const types = contents.flatMap((content) => Object.keys(content));
  const jsonSchemas = contents
    .filter((c) => c['application/json']?.schema)
    .map((c) => resolveRef(document, c['application/json'].schema));
  const tsResponse = types.length === 0 ? 'empty' : types.every((t) => t === 'application/json') ? 'json' : 'raw';
  const enveloped = tsResponse === 'json' && jsonSchemas.length > 0 && jsonSchemas.every((s) => s.properties?.data);
  const paginated = enveloped && jsonSchemas.every((s) => s.properties?.page) && paged;
  const typescript = paginated
    ? 'page'
    : tsResponse === 'raw'
      ? 'raw'
      : tsResponse === 'empty'
        ? 'empty'
        : enveloped
          ? 'data'
          : 'json';

  const first = contents[0];
  const jsonType = first && Object.keys(first).find((t) => t === 'application/json' || t.endsWith('+json'));
  const firstSchema = jsonType ? resolveRef(document, first![jsonType].schema) : {};
  const properties = Object.keys(firstSchema.properties ?? {});
  const python = !first
    ? 'json'
    : Object.keys(first).length === 0
      ? 'none'
      : !jsonType
        ? Object.keys(first).some((t) => t.startsWith('text/event-stream'))
          ? 'stream'
          : 'bytes'
        : properties.includes('data') && properties.includes('page')
          ? 'page'
          : properties.length === 1 && properties[0] === 'data'
            ? 'data'
            : 'json';

  const data = firstSchema.properties?.data;
  const ref: unknown = data?.$ref ?? data?.items?.$ref;
  // A list answered whole (not paged) is named in the plural: `bulkResults`.
  const plural = data?.items && python !== 'page' ? 's' : '';
  return {
    typescript,
    python,
    schemaName: typeof ref === 'string' ? `${ref.split('/').pop()}${plural}` : undefined,
    stream: types.some((t) => t.startsWith('text/event-stream')),
    text: types.some((t) => t.startsWith('text/') || t.includes('json')),
  };
}

const camel = (name: string) => name.charAt(0).toLowerCase() + name.slice(1);

function filledPath(path: string, request: ExampleRequest): string {
  const values = new Map(request.path);
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(values.get(name) ?? name));
}

const shellWord = (word: string) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);

function jsonText(value: unknown): string {
  const compact = JSON.stringify(value, null, 1)
    .replace(/\n\s*/g, ' ')
    .replace(/\[ /g, '[')
    .replace(/ \]/g, ']')
    .replace(/\{ /g, '{')
    .replace(/ \}/g, '}');
  return compact.length <= 72 ? compact : JSON.stringify(value, null, 2);
}

function curlSample(
  document: Json,
  sample: SampleOperation,
  request: ExampleRequest,
  answer: Answer,
  baseUrl: string,
): string {
  const query = request.query
    ? `?${new URLSearchParams(
        Object.entries(request.query).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : String(v)]),
      )}`
    : '';
  const url = `${baseUrl}${filledPath(sample.path, request)}${query}`;
  const parts = [
    `curl ${sample.method === 'GET' ? '' : `-X ${sample.method} `}${answer.stream ? '-N ' : ''}${shellWord(url)}`,
  ];
  const security = sample.operation.security ?? document.security;
  if (!Array.isArray(security) || security.length > 0) parts.push('-H "Authorization: Bearer $FIELDLINE_API_KEY"');
  if (request.body?.kind === 'json')
    parts.push(`-H 'Content-Type: application/json'`, `-d ${shellWord(jsonText(request.body.value))}`);
  if (request.body?.kind === 'multipart') {
    for (const [key, file] of Object.entries(request.body.files))
      parts.push(`-F ${shellWord(`${key}=@${file.fileName}`)}`);
    for (const [key, value] of Object.entries(request.body.fields)) parts.push(`-F ${shellWord(`${key}=${value}`)}`);
  }
  if (request.body?.kind === 'form') {
    for (const [key, value] of Object.entries(request.body.fields))
      parts.push(`--data-urlencode ${shellWord(`${key}=${value}`)}`);
  }
  if (answer.typescript === 'raw' && !answer.text && !answer.stream) parts.push('-o download.bin');
  return parts.join(' \\\n  ');
}

function typescriptSample(
  document: Json,
  sample: SampleOperation,
  request: ExampleRequest,
  answer: Answer,
  baseUrl: string,
): string {
  const args: Argument[] = request.path.map(([, value]) => ({ value }));
  const content = Object.keys(resolveRef(document, sample.operation.requestBody).content ?? {});
  // The SDK's argument order is ids, body, query: a query after an absent body needs `undefined` there.
  const takesBody = content.includes('application/json') || content.includes('multipart/form-data');
  const tail: unknown[] = [];
  if (takesBody) {
    const body = request.body;
    tail.push(
      body?.kind === 'json'
        ? body.value
        : body?.kind === 'multipart'
          ? {
              ...Object.fromEntries(
                Object.entries(body.files).map(([key, file]) => [
                  key,
                  new Code(
                    `new Blob([await readFile(${tsString(file.fileName)})], { type: ${tsString(file.contentType)} })`,
                  ),
                ]),
              ),
              ...body.fields,
            }
          : undefined,
    );
  }
  if (request.query) tail.push(request.query);
  while (tail.length && tail[tail.length - 1] === undefined) tail.pop();
  args.push(...tail.map((value) => ({ value })));
  const invoke = (prefix: string) => call(prefix, args, 'ts', ';');
  const method = `fieldline.${sample.sdkName}`;
  const name = answer.schemaName ? camel(answer.schemaName) : 'result';
  const lines = {
    page: [invoke(`const page = await ${method}`), 'console.log(page.data);'],
    data: [invoke(`const ${name} = await ${method}`), `console.log(${name});`],
    json: [invoke(`const result = await ${method}`), 'console.log(result);'],
    empty: [invoke(`await ${method}`)],
    raw: [
      invoke(`const response = await ${method}`),
      answer.stream
        ? 'const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();\n' +
          'for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) ' +
          'console.log(chunk.value);'
        : answer.text
          ? 'console.log(await response.text());'
          : "console.log(response.headers.get('content-type'), (await response.arrayBuffer()).byteLength);",
    ],
  }[answer.typescript];
  const imports = ["import { Fieldline } from '@fieldline/sdk';"];
  if (request.body?.kind === 'multipart') imports.push("import { readFile } from 'node:fs/promises';");
  return [
    ...imports,
    '',
    `const fieldline = new Fieldline({ apiKey: process.env.FIELDLINE_API_KEY, baseUrl: ${tsString(baseUrl)} });`,
    '',
    ...lines,
  ].join('\n');
}

/** A dict's keys as keyword arguments when every one can be, else the dict itself. */
function pythonArguments(values: Json, keywordForDict?: string): Argument[] {
  const keys = Object.keys(values);
  if (keys.every(pythonKeyword)) return keys.map((keyword) => ({ keyword, value: values[keyword] }));
  return [keywordForDict ? { keyword: keywordForDict, value: values } : { value: values }];
}

function pythonSample(sample: SampleOperation, request: ExampleRequest, answer: Answer, baseUrl: string): string {
  const args: Argument[] = request.path.map(([, value]) => ({ value }));
  const body = request.body;
  if (body?.kind === 'json') {
    const value = body.value;
    const plain = value !== null && typeof value === 'object' && !Array.isArray(value);
    args.push(...(plain ? pythonArguments(value as Json) : [{ value }]));
  }
  if (body?.kind === 'multipart') {
    const files = Object.fromEntries(
      Object.entries(body.files).map(([key, file]) => [key, new Code(`open(${JSON.stringify(file.fileName)}, "rb")`)]),
    );
    args.push({ keyword: 'files', value: files });
    args.push(...Object.entries(body.fields).map(([keyword, value]) => ({ keyword, value })));
  }
  if (request.query)
    args.push(...(body ? [{ keyword: 'params', value: request.query }] : pythonArguments(request.query)));
  const [namespace, method] = sample.sdkName!.includes('.') ? sample.sdkName!.split('.') : [undefined, sample.sdkName!];
  const target = `client.${namespace ? `${pythonName(namespace)}.` : ''}${pythonName(method!)}`;
  const name = answer.schemaName ? pythonName(answer.schemaName) : 'result';
  const lines = {
    page: [call(`page = ${target}`, args, 'py'), 'print(page.data)'],
    data: [call(`${name} = ${target}`, args, 'py'), `print(${name})`],
    json: [call(`result = ${target}`, args, 'py'), 'print(result)'],
    none: [call(target, args, 'py')],
    bytes: [call(`content = ${target}`, args, 'py'), 'print(len(content))'],
    stream: [
      call(`with ${target}`, args, 'py', ' as stream:'),
      '    for event in stream:',
      '        print(event.event, event.data)',
    ],
  }[answer.python];
  return [
    'import os',
    'from fieldline import Fieldline',
    '',
    `client = Fieldline(api_key=os.environ["FIELDLINE_API_KEY"], base_url=${JSON.stringify(baseUrl)})`,
    '',
    ...lines,
  ].join('\n');
}

/** The three samples for `sample`, calling the API at `baseUrl` (e.g. `http://localhost:3000`). */
export function codeSamples(document: Json, sample: SampleOperation, baseUrl: string): CodeSamples {
  const request = exampleRequest(document, sample.method, sample.path, sample.operation);
  const pathItem = document.paths?.[sample.path] ?? {};
  const parameters = [...(pathItem.parameters ?? []), ...(sample.operation.parameters ?? [])].map((p: unknown) =>
    resolveRef(document, p),
  );
  const answer = answerOf(
    document,
    sample.operation,
    parameters.some((p) => p.in === 'query' && p.name === 'cursor'),
  );
  return {
    curl: curlSample(document, sample, request, answer, baseUrl),
    typescript: sample.sdkName ? typescriptSample(document, sample, request, answer, baseUrl) : null,
    python: sample.sdkName ? pythonSample(sample, request, answer, baseUrl) : null,
  };
}
