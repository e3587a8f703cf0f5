// The reference page's code samples, checked against the committed OpenAPI document and both
// SDKs: exact samples for a create and an action, a list's query, an upload, and for every
// operation a sample that names a method the TypeScript and Python SDKs really have.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { codeSamples, pythonName, type SampleOperation } from './code-samples.ts';
import { operationTable } from '../../sdk/typescript/src/generated/operations.ts';

const document = JSON.parse(readFileSync(new URL('../../openapi.json', import.meta.url), 'utf8'));
const BASE = 'http://localhost:3000';

const operations: SampleOperation[] = Object.entries<Record<string, any>>(document.paths).flatMap(([path, item]) =>
  ['get', 'post', 'put', 'patch', 'delete']
    .filter((method) => item[method])
    .map((method) => ({
      method: method.toUpperCase(),
      path,
      sdkName: item[method]['x-fieldline-sdk'],
      operation: item[method],
    })),
);

function samplesFor(sdkName: string) {
  const operation = operations.find((o) => o.sdkName === sdkName);
  assert.ok(operation, `the document has ${sdkName}`);
  return codeSamples(document, operation, BASE);
}

/** Python SDK: namespace attribute -> its methods, read from the generated module. */
function pythonMethods(): Map<string, Set<string>> {
  const source = readFileSync(new URL('../../sdk/python/fieldline/_generated.py', import.meta.url), 'utf8');
  const byClass = new Map<string, Set<string>>();
  for (const block of source.split(/^class /m).slice(1)) {
    const name = /^(\w+)/.exec(block)![1]!;
    byClass.set(name, new Set([...block.matchAll(/^ {4}def (\w+)\(self/gm)].map((m) => m[1]!)));
  }
  const namespaces = new Map<string, Set<string>>([['', byClass.get('TopLevelOperations') ?? new Set()]]);
  for (const [, attribute, cls] of source.matchAll(/^ {4}'(\w+)': (\w+Resource),$/gm))
    namespaces.set(attribute!, byClass.get(cls!) ?? new Set());
  return namespaces;
}

describe('code samples', () => {
  it('writes a create with a JSON body built from the request schema (required fields and examples)', () => {
    const samples = samplesFor('customers.create');
    assert.equal(
      samples.curl,
      [
        'curl -X POST http://localhost:3000/v1/customers \\',
        '  -H "Authorization: Bearer $FIELDLINE_API_KEY" \\',
        "  -H 'Content-Type: application/json' \\",
        "  -d '{",
        '  "name": "Ada Lovelace",',
        '  "phone": "+1 555 0100",',
        '  "company": "Analytical Engines Ltd"',
        "}'",
      ].join('\n'),
    );
    assert.equal(
      samples.typescript,
      [
        "import { Fieldline } from '@fieldline/sdk';",
        '',
        "const fieldline = new Fieldline({ apiKey: process.env.FIELDLINE_API_KEY, baseUrl: 'http://localhost:3000' });",
        '',
        'const customer = await fieldline.customers.create({',
        "  name: 'Ada Lovelace',",
        "  phone: '+1 555 0100',",
        "  company: 'Analytical Engines Ltd',",
        '});',
        'console.log(customer);',
      ].join('\n'),
    );
    assert.equal(
      samples.python,
      [
        'import os',
        'from fieldline import Fieldline',
        '',
        'client = Fieldline(api_key=os.environ["FIELDLINE_API_KEY"], base_url="http://localhost:3000")',
        '',
        'customer = client.customers.create(',
        '    name="Ada Lovelace",',
        '    phone="+1 555 0100",',
        '    company="Analytical Engines Ltd",',
        ')',
        'print(customer)',
      ].join('\n'),
    );
  });

  it('writes an action with an example id in the path and no body', () => {
    const samples = samplesFor('jobs.complete');
    assert.equal(
      samples.curl,
      'curl -X POST http://localhost:3000/v1/jobs/job_123/complete \\\n  -H "Authorization: Bearer $FIELDLINE_API_KEY"',
    );
    assert.match(
      samples.typescript!,
      /\nconst job = await fieldline\.jobs\.complete\('job_123'\);\nconsole\.log\(job\);$/,
    );
    assert.match(samples.python!, /\njob = client\.jobs\.complete\("job_123"\)\nprint\(job\)$/);
  });

  it('pages a list with limit=10, as a query string, an object and keyword arguments', () => {
    const samples = samplesFor('customers.list');
    assert.match(samples.curl, /^curl 'http:\/\/localhost:3000\/v1\/customers\?limit=10' \\/);
    assert.match(
      samples.typescript!,
      /const page = await fieldline\.customers\.list\(\{ limit: 10 \}\);\nconsole\.log\(page\.data\);/,
    );
    assert.match(samples.python!, /page = client\.customers\.list\(limit=10\)\nprint\(page\.data\)/);
    assert.match(
      samplesFor('campaigns.listRecipients').python!,
      /client\.campaigns\.list_recipients\("cmp_123", limit=10\)/,
    );
  });

  it('fills a required query parameter from its format', () => {
    const samples = samplesFor('jobs.getSchedule');
    assert.match(samples.curl, /\/v1\/schedule\?date=2030-01-07'/);
    assert.match(samples.typescript!, /fieldline\.jobs\.getSchedule\(\{ date: '2030-01-07' \}\)/);
    assert.match(samples.python!, /client\.jobs\.get_schedule\(date="2030-01-07"\)/);
  });

  it('uploads a file as multipart: curl -F, a Blob for TypeScript, files= for Python', () => {
    const upload = operations.find((o) =>
      Object.keys(o.operation.requestBody?.content ?? {}).includes('multipart/form-data'),
    );
    assert.ok(upload?.sdkName, 'the document has a multipart upload');
    const samples = codeSamples(document, upload, BASE);
    assert.match(samples.curl, /-F file=@\w+\.(jpg|png)/);
    assert.match(samples.typescript!, /import \{ readFile \} from 'node:fs\/promises';/);
    assert.match(
      samples.typescript!,
      /file: new Blob\(\[await readFile\('\w+\.(jpg|png)'\)\], \{ type: 'image\/\w+' \}\)/,
    );
    assert.match(samples.python!, /files=\{"file": open\("\w+\.(jpg|png)", "rb"\)\}/);
  });

  it('passes a body field named like a Python SDK parameter (body) in the body dict, not as a keyword', () => {
    const samples = samplesFor('messages.send');
    assert.match(
      samples.python!,
      /message = client\.messages\.send\(\{\n {4}"conversation_id": "cnv_123",\n {4}"body": "On our way",\n\}\)/,
    );
    assert.match(
      samples.typescript!,
      /fieldline\.messages\.send\(\{\n {2}conversation_id: 'cnv_123',\n {2}body: 'On our way',\n\}\);/,
    );
  });

  it(
    'writes samples for every operation, naming methods both SDKs have, ' +
      "with the operation's method and path in curl",
    () => {
      const python = pythonMethods();
      assert.ok(operations.length > 300);
      for (const operation of operations) {
        const samples = codeSamples(document, operation, BASE);
        const curlPath = operation.path.replace(/\{[^}]+\}/g, "[^/?' ]+");
        assert.match(
          samples.curl,
          new RegExp(
            `^curl ${operation.method === 'GET' ? '' : `-X ${operation.method} `}(-N )?'?${BASE}${curlPath}([?' ]|$)`,
          ),
          `${operation.method} ${operation.path}`,
        );
        if (!operation.sdkName) {
          assert.equal(samples.typescript, null);
          continue;
        }
        const called = /await (fieldline\.[\w.]+)\(/.exec(samples.typescript!)?.[1];
        assert.equal(called, `fieldline.${operation.sdkName}`, operation.sdkName);
        assert.ok(
          operation.sdkName in operationTable,
          `${operation.sdkName} is in the TypeScript SDK's operationTable`,
        );
        const [namespace, method] = operation.sdkName.includes('.')
          ? operation.sdkName.split('.')
          : ['', operation.sdkName];
        const pythonCall = `client.${namespace ? `${pythonName(namespace!)}.` : ''}${pythonName(method!)}(`;
        assert.ok(samples.python!.includes(pythonCall), `${operation.sdkName}: ${pythonCall}`);
        assert.ok(
          python.get(namespace ? pythonName(namespace!) : '')?.has(pythonName(method!)),
          `the Python SDK has ${pythonCall}`,
        );
      }
    },
  );
});
