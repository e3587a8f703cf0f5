// The API coverage inventory (`fieldline inventory`): the committed matrix is the one the code
// produces, with no gap, and a gap is reported when a surface lacks an operation. That a new
// declaration reaches every surface is test/new-resource.test.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { defineResource } from '../src/platform/resource/define-resource.ts';
import { field } from '../src/platform/resource/fields.ts';
import type { Api } from '../src/platform/api/build-api.ts';
import { fieldlineApi } from '../src/main.ts';
import { coverageMarkdown } from '../src/inventory/coverage-markdown.ts';
import { coverageOf, currentCoverage } from '../src/inventory/current-coverage.ts';
import { pythonSdkOperations, typescriptSdkOperations } from '../src/inventory/sdk-surfaces.ts';

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
