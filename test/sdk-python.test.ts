// The Python SDK (sdk/python) against the real app on a real port: its generated code is what
// openapi.json generates, and its pytest suite passes. The Node side provides what the Python
// side cannot make itself: an account key, a key lacking a scope, an OAuth client (registered
// from a browser session) and a webhook delivery really signed and sent by the server.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createServedTestContext } from './support/real-port.ts';
import { type TestContext, type TestAccount } from './support/test-context.ts';
import { webhookDelivery } from '../src/webhooks/webhook-service.ts';

const ROOT = resolve(import.meta.dirname, '..');
const SDK = join(ROOT, 'sdk', 'python');
const PYTHON = process.env.PYTHON ?? 'python3';
const required = process.env.FIELDLINE_REQUIRE_PYTHON_SDK === '1';

/** Why `modules` cannot be used with this machine's Python >= 3.9, or null when they can. */
function missingPython(modules: string[] = []): string | null {
  const probe = spawnSync(
    PYTHON,
    ['-c', ['import sys', ...modules.map((m) => `import ${m}`), 'assert sys.version_info >= (3, 9)'].join('; ')],
    { encoding: 'utf8' },
  );
  if (probe.error) return `${PYTHON} not found (${probe.error.message})`;
  const wanted = ['Python >= 3.9', ...modules].join(' with ');
  return probe.status === 0
    ? null
    : `${wanted} is needed (apt-get install python3-pytest): ${probe.stderr.trim().split('\n').pop()}`;
}

/** Runs a command without blocking the event loop (the app answers the child from this process). */
function run(command: string, args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; output: string }>((done, fail) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONPATH: SDK, ...env },
    });
    let output = '';
    child.stdout.on('data', (c) => {
      output += c;
    });
    child.stderr.on('data', (c) => {
      output += c;
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code, output }));
  });
}

/** One webhook delivery as the server sends it: raw body, signature headers, and the endpoint's secret. */
async function captureDelivery(t: TestContext, account: TestAccount) {
  let received: { body: string; headers: IncomingHttpHeaders } | undefined;
  const receiver: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received = { body: Buffer.concat(chunks).toString(), headers: req.headers };
      res.end('ok');
    });
  });
  await new Promise<void>((ready) => receiver.listen(0, '127.0.0.1', ready));
  try {
    const url = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hooks`;
    const endpoint = await t.call('POST', '/v1/webhook-endpoints', {
      key: account.key,
      body: { url, enabled_events: ['customer.created'] },
    });
    assert.equal(endpoint.status, 201, endpoint.text);
    const customer = await t.call('POST', '/v1/customers', { key: account.key, body: { name: 'Webhook Sample' } });
    assert.equal(customer.status, 201, customer.text);
    await t.runtime.use(webhookDelivery).drain({ accountIds: [account.id] });
    assert.ok(received, 'the server delivered the customer.created event');
    const pick = (name: string) => String(received!.headers[name]);
    return {
      payload: received.body,
      secret: endpoint.body.data.secret as string,
      headers: {
        'webhook-id': pick('webhook-id'),
        'webhook-timestamp': pick('webhook-timestamp'),
        'webhook-signature': pick('webhook-signature'),
      },
    };
  } finally {
    await new Promise<void>((closed) => {
      receiver.closeAllConnections();
      receiver.close(() => closed());
    });
  }
}

/** A confidential OAuth client with client credentials, registered from a signed-up owner's session. */
async function registerOAuthClient(t: TestContext) {
  const email = `py.${randomBytes(4).toString('hex')}@example.test`;
  const signUp = await t.call('POST', '/v1/auth/sign-up', {
    body: { name: 'Py', email, password: 'correct horse battery', account_name: 'Py SDK Co' },
  });
  assert.equal(signUp.status, 201, signUp.text);
  const cookie = signUp.headers
    .getSetCookie()
    .find((c) => c.startsWith('fieldline.session_token='))!
    .split(';')[0];
  const client = await t.call('POST', '/v1/oauth/clients', {
    headers: { cookie },
    body: { name: 'Python SDK test', scopes: ['read:customers', 'write:customers'], client_credentials: true },
  });
  assert.equal(client.status, 201, client.text);
  return { id: client.body.data.id as string, secret: client.body.data.client_secret as string };
}

describe('the Python SDK', () => {
  const missing = missingPython(['pytest']);
  const skip = missing && !required ? `skipped: ${missing}` : false;
  const noPython = missingPython();
  const skipCheck = noPython && !required ? `skipped: ${noPython}` : false;
  let t: TestContext;
  let closeServer: () => Promise<void>;
  let base: string;
  let dir: string;

  before(async () => {
    if (skip) return; // the server is for the pytest suite only
    ({ t, base, close: closeServer } = await createServedTestContext());
    dir = mkdtempSync(join(tmpdir(), 'fieldline-py-'));
  });
  after(async () => {
    if (skip) return;
    await closeServer();
    rmSync(dir, { recursive: true, force: true });
  });

  it('has Python >= 3.9 with pytest (FIELDLINE_REQUIRE_PYTHON_SDK=1 makes its absence a failure)', { skip }, () => {
    assert.equal(missing, null, missing ?? '');
  });

  it('commits exactly what generate.py makes of openapi.json', { skip: skipCheck }, async () => {
    const check = await run(PYTHON, [join(SDK, 'generate.py'), '--check']);
    assert.equal(check.code, 0, check.output);
  });

  it('passes its pytest suite against the running server', { skip }, async (test) => {
    const account = await t.newAccount('Python SDK Co');
    const readOnlyKey = await t.newKey(account.id, ['read:customers']);
    const oauthClient = await registerOAuthClient(t);
    const webhookFile = join(dir, 'webhook.json');
    writeFileSync(webhookFile, JSON.stringify(await captureDelivery(t, account)));
    const noProxy = ['127.0.0.1', 'localhost', process.env.NO_PROXY ?? process.env.no_proxy].filter(Boolean).join(',');
    const result = await run(
      PYTHON,
      [
        '-m',
        'pytest',
        join(SDK, 'tests'),
        '-v',
        '-p',
        'no:cacheprovider',
        '-W',
        'error::pytest.PytestUnraisableExceptionWarning',
      ],
      {
        FIELDLINE_BASE_URL: base,
        FIELDLINE_API_KEY: account.key,
        FIELDLINE_READ_ONLY_KEY: readOnlyKey,
        FIELDLINE_OAUTH_CLIENT_ID: oauthClient.id,
        FIELDLINE_OAUTH_CLIENT_SECRET: oauthClient.secret,
        FIELDLINE_WEBHOOK_SAMPLE: webhookFile,
        FIELDLINE_REQUIRE_SERVER: '1',
        NO_PROXY: noProxy,
        no_proxy: noProxy,
      },
    );
    assert.equal(result.code, 0, `pytest failed:\n${result.output}`);
    assert.match(result.output, /\d+ passed/);
    assert.doesNotMatch(result.output, /\d+ skipped/, 'every case ran');
    test.diagnostic(`pytest: ${result.output.trim().split('\n').pop()}`);
  });
});
