// The Zapier app run by zapier-platform-core's app tester against a real Fieldline server started
// here (PGlite in a temporary folder, on 127.0.0.1, private webhook targets allowed), with a
// local target standing in for Zapier's hook URL. Nothing leaves the machine: the app tester's
// log shipping is pointed at a closed local port.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn, execFileSync } = require('node:child_process');
const { createServer } = require('node:http');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');

process.env.LOGGING_ENDPOINT = 'http://127.0.0.1:9/';
const zapier = require('zapier-platform-core');
const App = require('../index');

const appTester = zapier.createAppTester(App);
const CLI = path.join(__dirname, '..', '..', 'bin', 'fieldline.js');

let dataDir;
let server;
let baseUrl;
let apiKey;
let target;

const freePort = () =>
  new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });

async function waitFor(check, ms = 60_000) {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value) return value;
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function startTarget() {
  const received = [];
  const http = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(200).end('ok');
    });
  });
  return new Promise((resolve) =>
    http.listen(0, '127.0.0.1', () => resolve({ http, received, url: `http://127.0.0.1:${http.address().port}/hook` })),
  );
}

const api = (method, route, body) =>
  fetch(`${baseUrl}${route}`, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: body && JSON.stringify(body),
  }).then((res) => res.json());

before(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'fieldline-zapier-'));
  const env = { ...process.env, FIELDLINE_DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
  const created = JSON.parse(
    execFileSync('node', [CLI, 'accounts', 'create', '--name', 'Zapier Co', '--json'], { env }),
  );
  apiKey = created.api_key;
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  server = spawn('node', [CLI, 'serve'], {
    env: { ...env, PORT: String(port), HOST: '127.0.0.1', FIELDLINE_WEBHOOK_ALLOW_PRIVATE: '1' },
    stdio: 'ignore',
  });
  await waitFor(async () => (await fetch(`${baseUrl}/v1/health`)).ok);
  target = await startTarget();
});

after(async () => {
  server?.kill('SIGTERM');
  await new Promise((resolve) => (server ? server.once('exit', resolve) : resolve()));
  target?.http.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const bundle = (extra = {}) => ({ authData: { api_key: apiKey, base_url: baseUrl }, ...extra });

test('the connection test names the account and the key; a wrong key fails it', async () => {
  const me = await appTester(App.authentication.test, bundle());
  assert.equal(me.account.name, 'Zapier Co');
  assert.equal(me.credential.type, 'api_key');
  assert.match(me.label, /^Zapier Co/);
  await assert.rejects(
    appTester(App.authentication.test, { authData: { api_key: 'fl_test_wrong', base_url: baseUrl } }),
  );
});

test('New Customer: subscribe, a delivery is the event, the sample polls the same shape, unsubscribe', async () => {
  const trigger = App.triggers.customer_created.operation;
  const subscribeData = await appTester(trigger.performSubscribe, bundle({ targetUrl: target.url }));
  assert.match(subscribeData.id, /^hook_/);

  const customer = (await api('POST', '/v1/customers', { name: 'Ada Lovelace' })).data;
  const delivery = await waitFor(async () => target.received[0], 15_000);
  assert.ok(delivery.headers['webhook-signature'], 'signed');
  const [event] = await appTester(trigger.perform, bundle({ cleanedRequest: JSON.parse(delivery.body) }));
  assert.equal(event.type, 'customer.created');
  assert.equal(event.data.object.id, customer.id);

  const sample = await appTester(trigger.performList, bundle());
  assert.equal(sample[0].id, event.id, 'Zapier deduplicates the two by id');
  assert.deepEqual(Object.keys(sample[0]).sort(), Object.keys(event).sort());

  const gone = await appTester(trigger.performUnsubscribe, bundle({ subscribeData }));
  assert.deepEqual(gone, { id: subscribeData.id, object: 'rest_hook', deleted: true });
  await api('POST', '/v1/customers', { name: 'Grace Hopper' });
  await new Promise((resolve) => setTimeout(resolve, 2_500)); // the server's workers poll every second
  assert.equal(target.received.length, 1, 'nothing after unsubscribing');
});
