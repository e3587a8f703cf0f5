// The API coverage inventory (`fieldline inventory`), and the rule it exists for: a resource
// declared in src/domain reaches every derived surface (the OpenAPI document, both SDKs after
// regeneration, the MCP tools, the inventory) with no other change.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineResource } from '../src/platform/resource/define-resource.ts';
import { field } from '../src/platform/resource/fields.ts';
import type { Api } from '../src/platform/api/build-api.ts';
import { fieldlineApi } from '../src/main.ts';
import { mcpTools } from '../src/mcp/mcp-tools.ts';
import { coverageMarkdown } from '../src/inventory/coverage-markdown.ts';
import { coverageOf, currentCoverage } from '../src/inventory/current-coverage.ts';
import {
  pythonSdkOperations,
  typescriptSdkOperations,
  TYPESCRIPT_OPERATIONS_FILE,
} from '../src/inventory/sdk-surfaces.ts';
import { generateTypeScriptSdk } from '../sdk/typescript/scripts/generate.ts';

const declareGadgets = (more: Partial<Parameters<typeof defineResource>[0]> = {}) =>
  defineResource({
    name: 'gadget',
    collection: 'gadgets',
    idPrefix: 'gad',
    description: 'A throwaway resource declared by this test.',
    fields: { label: field.text({ min: 1, max: 50 }).required().filterable() },
    actions: { polish: { summary: 'Polish the gadget', event: 'polished' } },
    ...more,
  });
const gadgets = declareGadgets();

/** Every operation of an API, as an SDK would offer it. */
const everyOperation = (api: Api) => new Set(api.operations.map((o) => `${o.method.toUpperCase()} ${o.path}`));

describe('fieldline inventory', () => {
  it('docs/api-coverage.md is the matrix the code produces, and it has no gap', () => {
    const resources = currentCoverage();
    assert.equal(
      readFileSync(new URL('../docs/api-coverage.md', import.meta.url), 'utf8'),
      coverageMarkdown(resources),
      'run `node bin/fieldline.js inventory --output docs/api-coverage.md`',
    );
    assert.deepEqual(
      resources.flatMap((resource) => resource.gaps.map((gap) => `${resource.collection}: ${gap}`)),
      [],
    );
    assert.equal(resources.length, fieldlineApi().registry.resources.length);
  });

  it('an operation an SDK lacks is a gap naming the operation and the SDK', () => {
    const python = pythonSdkOperations();
    python.delete('POST /v1/jobs/{id}/complete');
    const jobs = coverageOf(fieldlineApi(), { typescript: typescriptSdkOperations(), python }).find(
      (r) => r.collection === 'jobs',
    )!;
    assert.deepEqual(jobs.gaps, ['POST /v1/jobs/{id}/complete is missing from Python SDK']);
    assert.equal(jobs.surfaces.python.covered, jobs.surfaces.python.expected - 1);
  });

  it('a resource offering fewer operations is a gap until it says why', () => {
    const row = (resource: typeof gadgets) => {
      const api = fieldlineApi([resource]);
      return coverageOf(api, { typescript: everyOperation(api), python: everyOperation(api) }).find(
        (r) => r.collection === 'gadgets',
      )!;
    };
    assert.deepEqual(row(declareGadgets({ operations: ['list', 'get'] })).gaps, [
      'offers no create, update, delete, bulk, export, and does not say why (limitedBecause)',
    ]);
    assert.deepEqual(
      row(declareGadgets({ operations: ['list', 'get'], limitedBecause: 'Gadgets are made by the factory.' })).gaps,
      [],
    );
  });
});

describe('a new resource', () => {
  it('appears in the OpenAPI document, both regenerated SDKs, the MCP tools and the inventory with no other change', async (t) => {
    const api = fieldlineApi([gadgets]);
    const document = api.document() as { paths: Record<string, Record<string, Record<string, unknown>>> };
    assert.equal(document.paths['/v1/gadgets/{id}/polish'].post['x-fieldline-sdk'], 'gadgets.polish');

    const typescript = (await generateTypeScriptSdk(document))['src/generated/operations.ts'];
    assert.ok(typescript, `the generator writes ${TYPESCRIPT_OPERATIONS_FILE}`);
    assert.match(typescript, /"gadgets\.polish": \{"method":"POST","path":"\/v1\/gadgets\/\{id\}\/polish"/);

    const python = spawnSync('python3', ['--version']);
    if (python.error && process.env.FIELDLINE_REQUIRE_PYTHON_SDK !== '1')
      return t.skip('python3 is not installed: the Python SDK cannot be regenerated here');
    const dir = mkdtempSync(join(tmpdir(), 'fieldline-gadgets-'));
    try {
      writeFileSync(join(dir, 'openapi.json'), JSON.stringify(document));
      const generated = spawnSync(
        'python3',
        ['sdk/python/generate.py', '--openapi', join(dir, 'openapi.json'), '--out', dir],
        { encoding: 'utf8' },
      );
      assert.equal(generated.status, 0, generated.stderr);
      const pythonSource = readFileSync(join(dir, '_generated.py'), 'utf8');
      assert.match(pythonSource, /class GadgetsResource/);
      assert.match(pythonSource, /def polish\(self, id: str/);

      const gadgetsRow = coverageOf(api, {
        typescript: typescriptSdkOperations(typescript),
        python: pythonSdkOperations(pythonSource),
      }).find((resource) => resource.collection === 'gadgets')!;
      assert.deepEqual(gadgetsRow.gaps, []);
      assert.deepEqual(gadgetsRow.actions, ['polish']);
      for (const surface of ['openapi', 'typescript', 'python', 'tenancy', 'roles'] as const) {
        assert.equal(
          gadgetsRow.surfaces[surface].covered,
          8,
          `${surface}: list, get, create, update, delete, bulk, export and polish`,
        );
      }
      assert.deepEqual(
        mcpTools(api)
          .filter((tool) => tool.operation.collection === 'gadgets')
          .map((tool) => tool.name)
          .sort(),
        [
          'gadgets_bulk',
          'gadgets_create',
          'gadgets_delete',
          'gadgets_get',
          'gadgets_list',
          'gadgets_polish',
          'gadgets_update',
        ],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
