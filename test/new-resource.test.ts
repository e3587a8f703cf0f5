// The rule the architecture exists for: a resource is one declaration, and every surface is
// derived from it with no other change. A throwaway `gadgets` declaration is added to the CRM's
// resources; this suite finds it on every surface: its table (with row-level security), its
// operations and their events, the role policy, the OpenAPI document, both SDKs regenerated, the
// MCP tools and the coverage inventory.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { defineResource } from '../src/platform/resource/define-resource.ts';
import { field } from '../src/platform/resource/fields.ts';
import { roleScopes } from '../src/auth/roles.ts';
import { apiKeyVerifier } from '../src/auth/auth-services.ts';
import { mcpTools } from '../src/mcp/mcp-tools.ts';
import { coverageOf } from '../src/inventory/current-coverage.ts';
import { pythonSdkOperations, typescriptSdkOperations } from '../src/inventory/sdk-surfaces.ts';
import { generateTypeScriptSdk } from '../sdk/typescript/scripts/generate.ts';
import { systemQuery } from '../src/db/system-query.ts';
import { accountClient, createTestContext, type TestAccount, type TestContext } from './support/test-context.ts';

const gadgets = defineResource({
  name: 'gadget',
  collection: 'gadgets',
  idPrefix: 'gad',
  description: 'A throwaway resource declared by this test.',
  roles: { technician: 'read' },
  searchTitle: ['label'],
  fields: {
    label: field.text({ min: 1, max: 50 }).required().filterable().searchable().sortable(),
    size: field.enum(['small', 'large']).default('small').filterable(),
    status: field.enum(['new', 'polished']).default('new').readOnly().filterable(),
  },
  lifecycle: { field: 'status' },
  actions: {
    polish: {
      summary: 'Polish the gadget',
      from: ['new'],
      to: 'polished',
      event: 'polished',
      input: z.strictObject({ shine: z.int().min(1).max(10) }),
      apply: ({ row, input }) => ({ label: `${row.label} (${'*'.repeat(input.shine)})` }),
    },
  },
});

let ctx: TestContext;
let account: TestAccount;
const { call } = accountClient(
  () => ctx,
  () => account,
);

before(async () => {
  ctx = await createTestContext({ extraResources: [gadgets] });
  account = await ctx.newAccount('Gadget Co');
});
after(async () => ctx.close());

describe('a resource declared once', () => {
  it('has its table, migrated with the rest, and row-level security like every tenant table', async () => {
    const [table] = await systemQuery(ctx.db, {
      sql: "SELECT relrowsecurity FROM pg_class WHERE relname = 'gadgets' AND relkind IN ('r', 'p')",
      parameters: [],
    });
    assert.equal(table?.relrowsecurity, true);
  });

  it('answers every generated operation, and each change writes its event', async () => {
    const created = await call('POST', '/v1/gadgets', { label: 'Sprocket', size: 'large' });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.headers.get('location'), `/v1/gadgets/${created.body.data.id}`);
    const id = created.body.data.id;
    assert.deepEqual(
      (await call('GET', '/v1/gadgets?size=large&q=sprock')).body.data.map((g: { id: string }) => g.id),
      [id],
    );
    assert.equal((await call('PATCH', `/v1/gadgets/${id}`, { size: 'small' })).body.data.size, 'small');
    const polished = await call('POST', `/v1/gadgets/${id}/polish`, { shine: 3 });
    assert.deepEqual([polished.body.data.status, polished.body.data.label], ['polished', 'Sprocket (***)']);
    const again = await call('POST', `/v1/gadgets/${id}/polish`, { shine: 3 });
    assert.deepEqual([again.status, again.body.code], [409, 'invalid_state_transition']);
    assert.equal((await call('GET', '/v1/gadgets/export?format=csv')).text.split('\n')[0].includes('label'), true);
    const bulk = await call('POST', '/v1/gadgets/bulk', { operations: [{ action: 'create', data: { label: 'Cog' } }] });
    assert.equal(bulk.status, 200, bulk.text);
    assert.equal((await call('DELETE', `/v1/gadgets/${id}`)).body.data.deleted, true);
    const types = (await call('GET', '/v1/events?type[starts_with]=gadget.&limit=100')).body.data.map(
      (event: { type: string }) => event.type,
    );
    for (const type of ['gadget.created', 'gadget.updated', 'gadget.polished', 'gadget.deleted'])
      assert.ok(types.includes(type), type);
  });

  it("keeps another account's gadgets out of reach (404) and out of its lists", async () => {
    const theirs = (await call('POST', '/v1/gadgets', { label: 'Theirs' })).body.data;
    const other = await ctx.newAccount('Other Co');
    assert.equal((await call('GET', `/v1/gadgets/${theirs.id}`, undefined, other.key)).status, 404);
    assert.deepEqual((await call('GET', '/v1/gadgets', undefined, other.key)).body.data, []);
  });

  it('gets its scopes, events and role policy into the catalogues (its module decides what it does not)', () => {
    assert.ok(ctx.registry.scopes().includes('write:gadgets'));
    assert.ok(ctx.registry.eventTypes().some((event) => event.type === 'gadget.polished'));
    assert.ok(roleScopes(ctx.registry, 'technician').includes('read:gadgets'));
    assert.ok(!roleScopes(ctx.registry, 'technician').includes('write:gadgets'));
    assert.ok(roleScopes(ctx.registry, 'dispatcher').includes('write:gadgets'), "the CRM module's default");
  });

  it('is documented, becomes MCP tools that run it, and reaches both regenerated SDKs and the inventory', async (t) => {
    const document = ctx.api.document() as { paths: Record<string, Record<string, Record<string, unknown>>> };
    assert.equal(document.paths['/v1/gadgets/{id}/polish'].post['x-fieldline-sdk'], 'gadgets.polish');

    const tools = mcpTools(ctx.api).filter((tool) => tool.operation.collection === 'gadgets');
    assert.deepEqual(tools.map((tool) => tool.name).sort(), [
      'gadgets_bulk',
      'gadgets_create',
      'gadgets_delete',
      'gadgets_get',
      'gadgets_list',
      'gadgets_polish',
      'gadgets_update',
    ]);
    const principal = (await ctx.runtime.use(apiKeyVerifier).verify(account.key))!;
    const create = tools.find((tool) => tool.name === 'gadgets_create')!;
    const made = await create.run({
      runtime: ctx.runtime,
      principal,
      args: { label: 'By agent' },
      requestId: 'req_test',
    });
    assert.ok('body' in made && (made.body as { data: { id: string } }).data.id.startsWith('gad_'));

    const typescript = (await generateTypeScriptSdk(document))['src/generated/operations.ts']!;
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
        {
          encoding: 'utf8',
        },
      );
      assert.equal(generated.status, 0, generated.stderr);
      const pythonSource = readFileSync(join(dir, '_generated.py'), 'utf8');
      assert.match(pythonSource, /def polish\(self, id: str/);
      const row = coverageOf(ctx.api, {
        typescript: typescriptSdkOperations(typescript),
        python: pythonSdkOperations(pythonSource),
      }).find((resource) => resource.collection === 'gadgets')!;
      assert.deepEqual(row.gaps, []);
      for (const surface of ['openapi', 'typescript', 'python', 'tenancy', 'roles'] as const)
        assert.equal(row.surfaces[surface].covered, 8, `${surface}: the seven operations and polish`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
