// The TypeScript SDK (sdk/typescript) against the real app on a real port: typed calls, paging,
// idempotent retries, typed errors, OAuth client credentials, webhook verification; and its
// generator and package. Retry timing is played by a tiny local server, never by the clock.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createServedTestContext } from './support/real-port.ts';
import { type TestContext, type TestAccount } from './support/test-context.ts';
import { TINY_PNG } from './support/uploads.ts';
import { signatureHeaders } from '../src/webhooks/webhook-sender.ts';
import { fieldlineApi } from '../src/main.ts';
import { defineResource } from '../src/platform/resource/define-resource.ts';
import { field } from '../src/platform/resource/fields.ts';
import {
  Fieldline,
  clientCredentials,
  verifyWebhook,
  ConflictError,
  FieldlineConnectionError,
  NotFoundError,
  PermissionError,
  RateLimitError,
  ValidationError,
  WebhookVerificationError,
  type RetryEvent,
} from '../sdk/typescript/src/index.ts';
import { generateTypeScriptSdk } from '../sdk/typescript/scripts/generate.ts';

const run = promisify(execFile);
const SDK_DIR = fileURLToPath(new URL('../sdk/typescript/', import.meta.url));

let t: TestContext;
let closeServer: () => Promise<void>;
let base: string;

before(async () => {
  ({ t, base, close: closeServer } = await createServedTestContext());
});
after(async () => {
  await closeServer();
});

async function newClient(name = 'SDK Co'): Promise<{ account: TestAccount; fieldline: Fieldline }> {
  const account = await t.newAccount(name);
  return { account, fieldline: new Fieldline({ apiKey: account.key, baseUrl: base }) };
}

/** A server on 127.0.0.1 answering each request with the next of `answers`; records what it got. */
async function scriptedServer(answers: Array<{ status: number; headers?: Record<string, string>; body: unknown }>) {
  const received: IncomingMessage[] = [];
  const http = createServer((request: IncomingMessage, response: ServerResponse) => {
    received.push(request);
    const answer = answers[Math.min(received.length - 1, answers.length - 1)]!;
    response.writeHead(answer.status, {
      'content-type': answer.status < 300 ? 'application/json' : 'application/problem+json',
      'x-request-id': `req_test${received.length}`,
      ...answer.headers,
    });
    response.end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}

const problem = (status: number, code: string) => ({
  type: `https://fieldline.dev/errors/${code}`,
  title: code,
  status,
  code,
  detail: code,
  request_id: 'req_test',
});

describe('the TypeScript SDK on a real server', () => {
  it('creates, gets and updates a customer through typed methods', async () => {
    const { fieldline } = await newClient();
    const created = await fieldline.customers.create({ name: 'Ada Lovelace', email: 'ada@example.test' });
    assert.match(created.id, /^cus_/);
    assert.equal(created.object, 'customer');
    assert.equal((await fieldline.customers.get(created.id)).email, 'ada@example.test');
    const updated = await fieldline.customers.update(created.id, { company: 'Analytical Engines' });
    assert.equal(updated.company, 'Analytical Engines');
    assert.equal(updated.name, 'Ada Lovelace');
  });

  it('iterates every item of a list spanning several pages exactly once, in order', async () => {
    const { fieldline } = await newClient();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await fieldline.customers.create({ name: `Customer ${i}` })).id);
    const first = await fieldline.customers.list({ limit: 2, sort: 'created_at' });
    assert.equal(first.data.length, 2);
    assert.equal(first.page.has_more, true);
    const seen: string[] = [];
    for await (const customer of fieldline.customers.list({ limit: 2, sort: 'created_at' })) seen.push(customer.id);
    assert.deepEqual(seen, ids);
  });

  it('filters a list by its query parameters', async () => {
    const { fieldline } = await newClient();
    await fieldline.customers.create({ name: 'Active one', status: 'active' });
    const inactive = await fieldline.customers.create({ name: 'Inactive one', status: 'inactive' });
    const found = await fieldline.customers.list({ status: 'inactive' }).toArray();
    assert.deepEqual(
      found.map((c) => c.id),
      [inactive.id],
    );
  });

  it(
    'schedules, starts and completes a job through its actions; ' + 'an illegal transition is a ConflictError',
    async () => {
      const { fieldline } = await newClient();
      const customer = await fieldline.customers.create({ name: 'Grace Hopper' });
      const job = await fieldline.jobs.create({ title: 'Fix the boiler', customer_id: customer.id });
      await assert.rejects(
        fieldline.jobs.complete(job.id),
        (error) => error instanceof ConflictError && error.code === 'invalid_state_transition',
      );
      const scheduled = await fieldline.jobs.schedule(job.id, {
        scheduled_start: '2030-01-07T09:00:00Z',
        scheduled_end: '2030-01-07T11:00:00Z',
      });
      assert.equal(scheduled.status, 'scheduled');
      await fieldline.jobs.start(job.id);
      const completed = await fieldline.jobs.complete(job.id);
      assert.equal(completed.status, 'completed');
    },
  );

  it('calls top-level methods, uploads files as multipart and returns non-JSON answers as Responses', async () => {
    const { fieldline } = await newClient();
    const customer = await fieldline.customers.create({ name: 'Plumbing Partners' });
    const results = await fieldline.search({ q: 'plumb' });
    assert.deepEqual(
      results.data.map((r) => r.id),
      [customer.id],
    );
    const job = await fieldline.jobs.create({ title: 'Leak', customer_id: customer.id });
    const photo = await fieldline.jobPhotos.upload(job.id, {
      file: new Blob([TINY_PNG], { type: 'image/png' }),
      caption: 'Before',
    });
    assert.equal(photo.caption, 'Before');
    const image = await fieldline.jobPhotos.download(photo.id);
    assert.deepEqual(new Uint8Array(await image.arrayBuffer()), new Uint8Array(TINY_PNG));
    const csv = await fieldline.customers.export({ format: 'csv' });
    assert.match(csv.headers.get('content-type') ?? '', /text\/csv/);
    assert.match(await csv.text(), /Plumbing Partners/);
  });

  it(
    'sends an Idempotency-Key with every POST, ' +
      'so a POST whose answer was lost is retried and replayed, creating one object',
    async () => {
      const { account } = await newClient();
      const seen: Array<{ key: string | null; replayed: string | null }> = [];
      const losingFetch: typeof fetch = async (input, init) => {
        const response = await fetch(input, init);
        const headers = new Headers(init?.headers);
        if (init?.method === 'POST') {
          seen.push({ key: headers.get('idempotency-key'), replayed: response.headers.get('idempotent-replayed') });
          if (seen.length === 1) throw new TypeError('fetch failed: connection reset after the server answered');
        }
        return response;
      };
      const fieldline = new Fieldline({
        apiKey: account.key,
        baseUrl: base,
        fetch: losingFetch,
        retry: { initialDelayMs: 1 },
      });
      const customer = await fieldline.customers.create({ name: 'Only Once' });
      assert.equal(seen.length, 2);
      assert.ok(seen[0]!.key, 'the first attempt carried a key');
      assert.equal(seen[1]!.key, seen[0]!.key, 'the retry carried the same key');
      assert.equal(seen[1]!.replayed, 'true', 'the server replayed its first answer');
      const all = await new Fieldline({ apiKey: account.key, baseUrl: base }).customers
        .list({ name: 'Only Once' })
        .toArray();
      assert.deepEqual(
        all.map((c) => c.id),
        [customer.id],
      );
    },
  );

  it('does not retry a POST sent without an Idempotency-Key', async () => {
    const { account } = await newClient();
    let posts = 0;
    const losingFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (init?.method === 'POST') {
        posts++;
        assert.equal(new Headers(init.headers).get('idempotency-key'), null);
        throw new TypeError('fetch failed');
      }
      return response;
    };
    const fieldline = new Fieldline({
      apiKey: account.key,
      baseUrl: base,
      fetch: losingFetch,
      retry: { initialDelayMs: 1 },
    });
    await assert.rejects(
      fieldline.customers.create({ name: 'No key' }, { idempotencyKey: null }),
      FieldlineConnectionError,
    );
    assert.equal(posts, 1);
  });

  it('gives typed errors with the problem details and request id', async () => {
    const { fieldline } = await newClient();
    await assert.rejects(fieldline.customers.get('cus_00000000000000000000000000'), (error) => {
      assert.ok(error instanceof NotFoundError);
      assert.equal(error.status, 404);
      assert.equal(error.code, 'not_found');
      assert.match(error.requestId ?? '', /^req_/);
      assert.equal(error.problem.request_id, error.requestId);
      return true;
    });
    await assert.rejects(fieldline.customers.create({ name: 'Bad email', email: 'not-an-email' }), (error) => {
      assert.ok(error instanceof ValidationError);
      assert.equal(error.code, 'validation_failed');
      assert.deepEqual(
        error.fieldErrors.map((e) => e.path),
        ['email'],
      );
      return true;
    });
  });

  it("answers a call outside the credential's scopes with a PermissionError", async () => {
    const { account } = await newClient();
    const readOnly = new Fieldline({ apiKey: await t.newKey(account.id, ['read:customers']), baseUrl: base });
    await readOnly.customers.list();
    await assert.rejects(
      readOnly.customers.create({ name: 'Nope' }),
      (error) => error instanceof PermissionError && error.code === 'insufficient_scope',
    );
  });

  it(
    'gets a token with client credentials, calls the API, ' + 'and fetches a new token once the old one is revoked',
    async () => {
      const { fieldline } = await newClient();
      await fieldline.customers.create({ name: 'Via OAuth' });
      const app = await fieldline.oauth.createClient({
        name: 'Nightly sync',
        scopes: ['read:customers'],
        client_credentials: true,
      });
      const provider = clientCredentials({
        clientId: app.id,
        clientSecret: app.client_secret!,
        scope: 'read:customers',
      });
      const viaOAuth = new Fieldline({ auth: provider, baseUrl: base });
      assert.deepEqual(
        (await viaOAuth.customers.list()).data.map((c) => c.name),
        ['Via OAuth'],
      );

      const context = { baseUrl: base, fetch };
      const first = await provider.getToken(context);
      assert.equal(await provider.getToken(context), first, 'the token is cached');
      const revoked = await fetch(`${base}/v1/auth/oauth2/revoke`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${btoa(`${app.id}:${app.client_secret}`)}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ token: first }),
      });
      assert.equal(revoked.status, 200);
      assert.equal((await viaOAuth.customers.list()).data.length, 1, 'the refused token was replaced');
      assert.notEqual(await provider.getToken(context), first);
    },
  );
});

describe('retries', () => {
  it('waits as long as Retry-After says after a 429, then succeeds', async () => {
    const scripted = await scriptedServer([
      { status: 429, headers: { 'retry-after': '1' }, body: problem(429, 'rate_limited') },
      { status: 200, body: { data: { object: 'account', id: 'acc_1' } } },
    ]);
    try {
      const retries: RetryEvent[] = [];
      const fieldline = new Fieldline({
        apiKey: 'fl_test_x',
        baseUrl: scripted.url,
        onRetry: (event) => retries.push(event),
      });
      const account = await fieldline.account.get();
      assert.equal(account.id, 'acc_1');
      assert.equal(scripted.received.length, 2);
      assert.deepEqual(
        retries.map((r) => [r.status, r.delayMs]),
        [[429, 1000]],
      );
    } finally {
      await scripted.close();
    }
  });

  it('retries 5xx answers up to maxRetries with the same Idempotency-Key, then throws', async () => {
    const scripted = await scriptedServer([{ status: 503, body: problem(503, 'service_unavailable') }]);
    try {
      const fieldline = new Fieldline({
        apiKey: 'fl_test_x',
        baseUrl: scripted.url,
        maxRetries: 3,
        retry: { initialDelayMs: 1, maxDelayMs: 4 },
      });
      await assert.rejects(
        fieldline.customers.create({ name: 'X' }),
        (error) => (error as { status?: number }).status === 503,
      );
      assert.equal(scripted.received.length, 4);
      assert.equal(new Set(scripted.received.map((r) => r.headers['idempotency-key'])).size, 1);
    } finally {
      await scripted.close();
    }
  });

  it('gives up on a server that does not answer within timeoutMs, after retrying a GET', async () => {
    const received: IncomingMessage[] = [];
    const silent = createServer((request) => {
      received.push(request);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as { port: number };
      const fieldline = new Fieldline({
        apiKey: 'fl_test_x',
        baseUrl: `http://127.0.0.1:${port}`,
        timeoutMs: 50,
        maxRetries: 1,
        retry: { initialDelayMs: 1 },
      });
      await assert.rejects(
        fieldline.customers.get('cus_1'),
        (error) => error instanceof FieldlineConnectionError && /no answer within 50 ms/.test(error.message),
      );
      assert.equal(received.length, 2);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('does not wait for a Retry-After longer than allowed: the RateLimitError says when to come back', async () => {
    const scripted = await scriptedServer([
      { status: 429, headers: { 'retry-after': '3600' }, body: problem(429, 'quota_exceeded') },
    ]);
    try {
      const fieldline = new Fieldline({ apiKey: 'fl_test_x', baseUrl: scripted.url });
      await assert.rejects(
        fieldline.customers.list(),
        (error) => error instanceof RateLimitError && error.retryAfter === 3600 && error.requestId === 'req_test',
      );
      assert.equal(scripted.received.length, 1);
    } finally {
      await scripted.close();
    }
  });
});

/** Never called: `tsc --noEmit` proves that misuse of the generated methods is a type error. */
export function typeChecks(fieldline: Fieldline) {
  // @ts-expect-error an unknown body field
  void fieldline.customers.create({ name: 'Ada', nickname: 'A' });
  // @ts-expect-error the required name is missing
  void fieldline.customers.create({ email: 'ada@example.test' });
  // @ts-expect-error the job id is missing
  void fieldline.jobs.complete();
  // @ts-expect-error not a customer status
  void fieldline.customers.list({ status: 'sleeping' });
  // @ts-expect-error search needs q
  void fieldline.search({});
  // @ts-expect-error no such resource
  void fieldline.widgets;
  const name: Promise<string> = fieldline.customers.get('cus_1').then((c) => c.name);
  return name;
}

describe('webhook verification', () => {
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const payload = JSON.stringify({
    id: 'evt_1',
    object: 'event',
    type: 'customer.created',
    created_at: '2026-01-01T00:00:00Z',
    data: { object: { id: 'cus_1' } },
  });

  it('accepts what the server signs, as a Headers or a plain object, also during a secret rotation', async () => {
    const headers = signatureHeaders('evt_1', payload, [secret], new Date());
    assert.equal((await Fieldline.webhooks.verify(payload, headers, secret)).type, 'customer.created');
    assert.equal((await verifyWebhook(payload, new Headers(headers), secret)).id, 'evt_1');
    const other = `whsec_${randomBytes(24).toString('base64')}`;
    await verifyWebhook(payload, signatureHeaders('evt_1', payload, [other, secret], new Date()), secret);
  });

  it('rejects a tampered payload, a wrong secret and a stale timestamp', async () => {
    const headers = signatureHeaders('evt_1', payload, [secret], new Date());
    await assert.rejects(verifyWebhook(payload.replace('cus_1', 'cus_2'), headers, secret), WebhookVerificationError);
    await assert.rejects(
      verifyWebhook(payload, headers, `whsec_${randomBytes(24).toString('base64')}`),
      WebhookVerificationError,
    );
    const stale = signatureHeaders('evt_1', payload, [secret], new Date(Date.now() - 10 * 60 * 1000));
    await assert.rejects(verifyWebhook(payload, stale, secret), WebhookVerificationError);
  });
});

describe('the generator and the package', () => {
  it('finds the committed generated files up to date with the committed openapi.json', async () => {
    const document = JSON.parse(await readFile(new URL('../openapi.json', import.meta.url), 'utf8'));
    const files = await generateTypeScriptSdk(document);
    for (const [path, content] of Object.entries(files)) {
      assert.ok(
        content === (await readFile(new URL(path, `file://${SDK_DIR}`), 'utf8')),
        `${path} is stale: run npm run sdk:typescript`,
      );
    }
  });

  it('gives a resource newly declared in the domain its typed namespace', async () => {
    const gadgets = defineResource({
      name: 'gadget',
      collection: 'gadgets',
      idPrefix: 'gad',
      description: 'A throwaway resource declared by this test.',
      fields: { label: field.text({ min: 1, max: 50 }).required().filterable() },
    });
    const openapi = fieldlineApi([gadgets]).document();
    const operations = (await generateTypeScriptSdk(openapi))['src/generated/operations.ts']!;
    for (const verb of ['list', 'create', 'get', 'update', 'delete', 'bulk', 'export'])
      assert.ok(operations.includes(`"gadgets.${verb}"`), `gadgets.${verb}`);
    assert.match(operations, /\n {2}gadgets: \{\n/);
    assert.match(
      operations,
      /list\(query\?: Query<Op<"\/v1\/gadgets", "get">>, options\?: RequestOptions\): PagePromise</,
    );
  });

  it(
    'packs README, examples and the built ESM with types; ' + 'an example runs from the package against the server',
    async () => {
      const { stdout } = await run('npm', ['pack', '--dry-run', '--json'], { cwd: SDK_DIR });
      const [pack] = JSON.parse(stdout.slice(stdout.indexOf('['))) as Array<{
        files: Array<{ path: string }>;
        size: number;
      }>;
      const paths = pack!.files.map((f) => f.path);
      for (const path of ['README.md', 'package.json', 'dist/index.js', 'dist/index.d.ts'])
        assert.ok(paths.includes(path), path);
      assert.ok(
        paths.some((p) => p.startsWith('examples/')),
        'examples',
      );
      assert.ok(!paths.some((p) => p.startsWith('src/') || p.startsWith('scripts/')), 'no sources');

      const account = await t.newAccount('Example Co');
      const example = await run(process.execPath, ['examples/customers.mjs'], {
        cwd: SDK_DIR,
        env: { ...process.env, FIELDLINE_API_KEY: account.key, FIELDLINE_BASE_URL: base },
      });
      assert.match(example.stdout, /created cus_/);
    },
  );
});
