// The MCP server as an AI agent meets it: the SDK's own Client over Streamable HTTP against the
// app on a real port. Tools come from the registry, run in-process with the caller's account,
// scopes and limits, and answer failures as problem details the agent can read.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import * as oidc from 'openid-client';
import { createServedTestContext } from './support/real-port.ts';
import { type TestContext, type TestAccount } from './support/test-context.ts';
import { requestLogWriter } from '../src/analytics/analytics-services.ts';

let t: TestContext;
let closeServer: () => Promise<void>;
let base: string;
let account: TestAccount;
let agent: Client;

async function connect(key: string, query = ''): Promise<Client> {
  const client = new Client({ name: 'fieldline-test-agent', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${base}/mcp${query}`), {
      requestInit: { headers: { authorization: `Bearer ${key}` } },
    }),
  );
  return client;
}

/** Every tool a connection lists, following tools/list pages. */
async function listAllTools(client: Client) {
  const tools = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTools(cursor ? { cursor } : {});
    tools.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor);
  return tools;
}

/** A tool's answer: the JSON it returned, and whether it was an error. */
async function use(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = await client.callTool({ name, arguments: args });
  const [content] = result.content as { type: string; text: string }[];
  return { isError: result.isError === true, json: JSON.parse(content.text) };
}

before(async () => {
  ({ t, base, close: closeServer } = await createServedTestContext());
  account = await t.newAccount('Agent Co');
  agent = await connect(account.key);
});
after(async () => {
  await agent.close();
  await closeServer();
});

describe('MCP server', () => {
  it("lists a tool per operation and action, with input schemas from the API's own schemas", async () => {
    const everything = await connect(account.key, '?toolsets=all');
    const tools = await listAllTools(everything);
    await everything.close();
    const named = new Map(tools.map((tool) => [tool.name, tool]));
    for (const name of [
      'customers_list',
      'customers_create',
      'customers_get',
      'customers_update',
      'customers_delete',
      'jobs_schedule',
      'jobs_complete',
      'events_list',
      'search',
    ]) {
      assert.ok(named.has(name), `${name} is a tool`);
    }
    const create = named.get('customers_create')!;
    assert.deepEqual(create.inputSchema.required, ['name']);
    assert.equal((create.inputSchema.properties as any).email.anyOf[0].format, 'email');
    assert.equal(create.annotations?.readOnlyHint, false);
    const schedule = named.get('jobs_schedule')!;
    assert.ok(schedule.inputSchema.required!.includes('id'), 'the path id is an argument');
    assert.ok(
      'scheduled_start' in (schedule.inputSchema.properties as object),
      "the action's body members are arguments",
    );
    assert.equal(named.get('customers_get')!.annotations?.readOnlyHint, true);
    assert.equal(named.get('customers_delete')!.annotations?.destructiveHint, true);
    assert.ok(!named.has('customers_export'), 'streams are not tools');
  });

  it('creates a customer, schedules and completes a job, and sees the events', async () => {
    const customer = await use(agent, 'customers_create', { name: 'Ada Lovelace', email: 'ada@example.test' });
    assert.equal(customer.isError, false, JSON.stringify(customer.json));
    const customerId = customer.json.data.id;
    assert.match(customerId, /^cus_/);
    const job = await use(agent, 'jobs_create', { title: 'Replace water heater', customer_id: customerId });
    assert.equal(job.isError, false, JSON.stringify(job.json));
    const jobId = job.json.data.id;
    const scheduled = await use(agent, 'jobs_schedule', {
      id: jobId,
      scheduled_start: '2026-12-01T09:00:00Z',
      scheduled_end: '2026-12-01T11:00:00Z',
    });
    assert.equal(scheduled.json.data.status, 'scheduled', JSON.stringify(scheduled.json));
    assert.equal((await use(agent, 'jobs_start', { id: jobId })).json.data.status, 'in_progress');
    const completed = await use(agent, 'jobs_complete', { id: jobId });
    assert.equal(completed.json.data.status, 'completed');

    const events = await use(agent, 'events_list', { limit: 20 });
    const types = events.json.data.map((event: { type: string }) => event.type);
    for (const type of ['customer.created', 'job.created', 'job.scheduled', 'job.started', 'job.completed'])
      assert.ok(types.includes(type), `${type} in ${types}`);
    const over = await use(agent, 'customers_list', { q: 'lovelace' });
    assert.deepEqual(
      over.json.data.map((c: { id: string }) => c.id),
      [customerId],
      'list filters and search are arguments',
    );
    const found = await use(agent, 'search', { q: 'water heater' });
    assert.equal(found.json.data.data[0].id, jobId);
  });

  it(
    'answers failures as problem details: ' + "bad input changes nothing, another account's data is not found",
    async () => {
      const invalid = await use(agent, 'customers_create', { name: '' });
      assert.equal(invalid.isError, true);
      assert.equal(invalid.json.code, 'validation_failed');
      assert.match(invalid.json.request_id, /\S/);
      const unknownArgument = await use(agent, 'customers_get', { id: 'cus_x', colour: 'blue' });
      assert.equal(unknownArgument.json.code, 'bad_request');

      const other = await t.newAccount('Other Co');
      const theirs = await t.call('POST', '/v1/customers', { key: other.key, body: { name: 'Not yours' } });
      const read = await use(agent, 'customers_get', { id: theirs.body.data.id });
      assert.equal(read.isError, true);
      assert.equal(read.json.code, 'not_found');
      const listed = await use(agent, 'customers_list', { q: 'yours' });
      assert.deepEqual(listed.json.data, []);
      await assert.rejects(agent.callTool({ name: 'no_such_tool', arguments: {} }), /Unknown tool/);
      const noId = await use(agent, 'customers_get', {});
      assert.equal(noId.json.code, 'validation_failed', "a missing path argument is the caller's error, not ours");
      assert.equal(noId.json.errors[0].path, 'id');
      assert.equal(
        (await use(agent, 'customers_list', { q: null, limit: null })).isError,
        false,
        'null means not given',
      );
    },
  );

  it('takes one message per request, and an Idempotency-Key makes a retried tool call run once', async () => {
    const post = (body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${base}/mcp`, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: {
          authorization: `Bearer ${account.key}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-protocol-version': '2025-06-18',
          ...headers,
        },
      });
    const batch = await post([
      { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      { jsonrpc: '2.0', id: 2, method: 'tools/list' },
    ]);
    assert.equal(batch.status, 400);
    assert.equal((await batch.json()).code, 'bad_request');

    const create = {
      jsonrpc: '2.0',
      id: 7,
      method: 'tools/call',
      params: { name: 'customers_create', arguments: { name: 'Once Only' } },
    };
    const first = await post(create, { 'idempotency-key': 'agent-retry-1' });
    const again = await post(create, { 'idempotency-key': 'agent-retry-1' });
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(await again.text(), await first.text());
    const listed = await t.call('GET', '/v1/customers?q=once', { key: account.key });
    assert.equal(listed.body.data.length, 1, 'the retry did not create a second customer');
  });

  it('shows a credential only the tools its scopes allow, and refuses the others', async () => {
    const readOnly = await connect(await t.newKey(account.id, ['read:customers']));
    try {
      const names = (await readOnly.listTools()).tools.map((tool) => tool.name);
      assert.ok(names.includes('customers_list'));
      assert.ok(!names.includes('customers_create'));
      assert.ok(!names.includes('jobs_list'));
      const refused = await use(readOnly, 'customers_create', { name: 'Nope' });
      assert.equal(refused.json.code, 'insufficient_scope');
      const listed = await t.call('GET', '/v1/customers?q=nope', { key: account.key });
      assert.equal(listed.body.data.length, 0, 'nothing was created');
    } finally {
      await readOnly.close();
    }
  });

  it("charges tool calls to the credential's rate limit and logs the requests", async () => {
    const limited = await t.newKey(account.id, ['read:customers'], { read: { limit: 3, window_seconds: 60 } });
    const client = await connect(limited); // initialize and its notification take two
    try {
      assert.equal((await use(client, 'customers_list')).isError, false);
      await assert.rejects(
        client.callTool({ name: 'customers_list', arguments: {} }),
        /429|rate/i,
        'the fourth request of the minute is refused',
      );
    } finally {
      await client.close();
    }
    await t.runtime.use(requestLogWriter).flush();
    const logs = await t.call('GET', '/v1/request-logs?route=/mcp&limit=100', { key: account.key });
    assert.ok(logs.body.data.length >= 4, `${logs.body.data.length} MCP requests logged`);
    const entries: Array<{ status: number; request_headers: Record<string, string> | null }> = logs.body.data;
    assert.ok(
      entries.some((entry) => entry.status === 429 && entry.request_headers?.authorization),
      'the refused call keeps its headers',
    );
    assert.ok(
      entries.every((entry) => !JSON.stringify(entry.request_headers).includes(limited)),
      'without the key',
    );
  });

  it('challenges an anonymous agent towards our OAuth server (RFC 9728)', async () => {
    const anonymous = await fetch(`${base}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    assert.equal(anonymous.status, 401);
    const challenge = anonymous.headers.get('www-authenticate')!;
    const metadataUrl = /resource_metadata="([^"]+)"/.exec(challenge)![1];
    const metadata = await (await fetch(metadataUrl)).json();
    assert.equal(metadata.resource, `${base}/mcp`);
    assert.deepEqual(metadata.authorization_servers, [`${base}/v1/auth`]);
    const authorizationServer = await (await fetch(`${base}/.well-known/oauth-authorization-server/v1/auth`)).json();
    assert.equal(authorizationServer.issuer, `${base}/v1/auth`);
    assert.equal((await fetch(`${base}/mcp`, { headers: { authorization: `Bearer ${account.key}` } })).status, 405);
  });

  it("takes an OAuth token issued for the MCP resource (RFC 8707), with the app's scopes", async () => {
    const registered = await t.call('POST', '/v1/oauth/clients', {
      key: account.key,
      body: { name: 'Agent', scopes: ['read:customers'], client_credentials: true },
    });
    assert.equal(registered.status, 201, registered.text);
    const { id, client_secret: secret } = registered.body.data;
    const config = await oidc.discovery(new URL(`${base}/v1/auth`), id, undefined, oidc.ClientSecretBasic(secret), {
      execute: [oidc.allowInsecureRequests],
      algorithm: 'oauth2',
    });
    const tokens = await oidc.clientCredentialsGrant(config, { scope: 'read:customers', resource: `${base}/mcp` });
    await assert.rejects(
      oidc.clientCredentialsGrant(config, { scope: 'read:customers', resource: 'https://elsewhere.example/mcp' }),
      'no token for a resource we do not serve',
    );
    const client = await connect(tokens.access_token);
    try {
      const names = (await client.listTools()).tools.map((tool) => tool.name);
      assert.deepEqual(
        names.filter((name) => name.startsWith('customers_')),
        ['customers_list', 'customers_get'],
      );
      assert.equal((await use(client, 'customers_list')).isError, false);
    } finally {
      await client.close();
    }
  });

  it('offers the OpenAPI document and the error catalogue as resources', async () => {
    const { resources } = await agent.listResources();
    assert.deepEqual(resources.map((resource) => resource.uri).sort(), [
      'fieldline://errors.json',
      'fieldline://openapi.json',
    ]);
    const openapi = await agent.readResource({ uri: 'fieldline://openapi.json' });
    assert.equal(JSON.parse((openapi.contents[0] as { text: string }).text).openapi, '3.1.0');
    const errors = JSON.parse(
      ((await agent.readResource({ uri: 'fieldline://errors.json' })).contents[0] as { text: string }).text,
    );
    assert.equal(errors.not_found.status, 404);
  });
});
