// What an agent's context holds on connecting: a small default list of tools, toolsets chosen
// by the MCP URL, tools/list pages followed by cursor to the whole list, and search_tools /
// describe_tools reaching a tool the list did not show, which can then be called. Driven by
// the MCP SDK's own client over Streamable HTTP on a real port.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createServedTestContext } from './support/real-port.ts';
import { type TestContext, type TestAccount } from './support/test-context.ts';
import { mcpTools } from '../src/mcp/mcp-tools.ts';
import { DEFAULT_TOOLS, TOOLS_PAGE_SIZE } from '../src/mcp/toolsets.ts';

let t: TestContext;
let closeServer: () => Promise<void>;
let base: string;
let account: TestAccount;
const clients: Client[] = [];

async function connect(key: string, query = ''): Promise<Client> {
  const client = new Client({ name: 'toolsets-test-agent', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${base}/mcp${query}`), {
      requestInit: { headers: { authorization: `Bearer ${key}` } },
    }),
  );
  clients.push(client);
  return client;
}

/** Every page of tools/list, in order. */
async function pages(client: Client) {
  const all = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTools(cursor ? { cursor } : {});
    all.push(page);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

async function use(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = await client.callTool({ name, arguments: args });
  const [content] = result.content as { type: string; text: string }[];
  return { isError: result.isError === true, json: JSON.parse(content.text) };
}

before(async () => {
  ({ t, base, close: closeServer } = await createServedTestContext());
  account = await t.newAccount('Toolsets Co');
});
after(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await closeServer();
});

describe('MCP toolsets', () => {
  it('lists a small default set in one page: the most used tools and the discovery tools', async () => {
    const client = await connect(account.key);
    const [only, ...more] = await pages(client);
    assert.equal(more.length, 0);
    assert.equal(only.nextCursor, undefined);
    const names = only.tools.map((tool) => tool.name);
    assert.deepEqual(names.slice(0, 2), ['search_tools', 'describe_tools']);
    assert.deepEqual(names.slice(2).sort(), [...DEFAULT_TOOLS].sort());
    const kilobytes = JSON.stringify(only.tools).length / 1024;
    assert.ok(kilobytes < 60, `the default list is ${kilobytes.toFixed(1)} KB`);
    console.log(`default tools/list: ${names.length} tools, ${kilobytes.toFixed(1)} KB`);
  });

  it('?toolsets=all pages by cursor to every tool the credential may use, each once', async () => {
    const client = await connect(account.key, '?toolsets=all');
    const all = await pages(client);
    assert.ok(all.length > 2, `${all.length} pages`);
    assert.ok(all.every((page) => page.tools.length <= TOOLS_PAGE_SIZE));
    const names = all.flatMap((page) => page.tools.map((tool) => tool.name));
    assert.equal(new Set(names).size, names.length, 'no tool twice');
    const expected = mcpTools(t.api).map((tool) => tool.name);
    assert.deepEqual(names.sort(), [...expected, 'search_tools', 'describe_tools'].sort());
    const kilobytes = JSON.stringify(all.flatMap((page) => page.tools)).length / 1024;
    console.log(`?toolsets=all: ${names.length} tools in ${all.length} pages, ${kilobytes.toFixed(0)} KB`);
  });

  it('?toolsets=jobs,customers lists those collections only; a narrow key lists only what it may use', async () => {
    const client = await connect(account.key, '?toolsets=jobs,customers');
    const names = (await pages(client)).flatMap((page) => page.tools.map((tool) => tool.name));
    assert.ok(names.includes('jobs_assign') && names.includes('customers_delete'));
    assert.ok(!names.includes('invoices_list'));
    const expected = mcpTools(t.api)
      .filter((tool) => tool.operation.collection === 'jobs' || tool.operation.collection === 'customers')
      .map((tool) => tool.name);
    assert.deepEqual(names, ['search_tools', 'describe_tools', ...expected]);
    const narrow = await connect(await t.newKey(account.id, ['read:jobs']), '?toolsets=jobs,customers');
    const narrowNames = (await pages(narrow)).flatMap((page) => page.tools.map((tool) => tool.name));
    assert.ok(narrowNames.includes('jobs_list'));
    assert.ok(!narrowNames.includes('jobs_create') && !narrowNames.includes('customers_list'));
  });

  it('refuses an unknown toolset with a 400 problem, and a forged cursor as invalid params', async () => {
    const response = await fetch(`${base}/mcp?toolsets=jobs,unicorns`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${account.key}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    assert.equal(response.status, 400);
    const problem = await response.json();
    assert.equal(problem.code, 'bad_request');
    assert.match(problem.detail, /unicorns/);
    const client = await connect(account.key, '?toolsets=all');
    await assert.rejects(client.listTools({ cursor: 'bm90IGEgY3Vyc29y' }), /Invalid cursor/);
  });

  it('search_tools finds a tool the default list lacks, describe_tools its schema, and it can be called', async () => {
    const client = await connect(account.key);
    const listed = (await client.listTools()).tools.map((tool) => tool.name);
    assert.ok(!listed.includes('suppliers_create'));
    const found = await use(client, 'search_tools', { query: 'create supplier' });
    assert.equal(found.isError, false, JSON.stringify(found.json));
    assert.equal(found.json.tools[0].name, 'suppliers_create');
    assert.equal(found.json.tools[0].toolset, 'suppliers');
    assert.match(found.json.tools[0].description, /supplier/i);
    const described = await use(client, 'describe_tools', { names: ['suppliers_create'] });
    assert.ok(described.json.tools[0].inputSchema.required.includes('name'));
    const created = await use(client, 'suppliers_create', { name: 'Pipes & Co' });
    assert.equal(created.isError, false, JSON.stringify(created.json));
    assert.match(created.json.data.id, /^sup/);
    const fetched = await t.call('GET', `/v1/suppliers/${created.json.data.id}`, { key: account.key });
    assert.equal(fetched.body.data.name, 'Pipes & Co');

    const refund = await use(client, 'search_tools', { query: 'refund payment', limit: 3 });
    assert.equal(refund.json.tools[0].name, 'payments_refund', JSON.stringify(refund.json));
    const nothing = await use(client, 'search_tools', { query: 'zzzyxq' });
    assert.deepEqual(nothing.json.tools, []);
    assert.equal((await use(client, 'search_tools', { query: '' })).isError, true);
    assert.equal((await use(client, 'describe_tools', { names: ['no_such_tool'] })).isError, true);
  });

  it("search_tools answers only tools the credential's scopes allow", async () => {
    const narrow = await connect(await t.newKey(account.id, ['read:suppliers']));
    const found = await use(narrow, 'search_tools', { query: 'supplier' });
    const names = found.json.tools.map((tool: { name: string }) => tool.name);
    assert.ok(names.includes('suppliers_list'));
    assert.ok(!names.includes('suppliers_create'));
    const refused = await use(narrow, 'describe_tools', { names: ['suppliers_create'] });
    assert.equal(refused.isError, true);
  });
});
