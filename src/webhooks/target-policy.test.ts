import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { classifyAddress, targetProblem } from './target-policy.ts';
import { sendWebhook } from './webhook-sender.ts';

test(
  'private, loopback and reserved addresses in every notation are private; ' + 'metadata and link-local are forbidden',
  () => {
    for (const address of [
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '127.0.0.1',
      '127.255.0.9',
      '0.0.0.0',
      '100.64.0.1',
      '::1',
      '::',
      'fc00::1',
      'fd12:3456::1',
      '::ffff:10.0.0.1',
      '::ffff:127.0.0.1',
    ]) {
      assert.equal(classifyAddress(address), 'private', address);
    }
    for (const address of ['169.254.169.254', '169.254.0.1', 'fe80::1', 'fd00:ec2::254', '::ffff:169.254.169.254']) {
      assert.equal(classifyAddress(address), 'forbidden', address);
    }
    for (const address of ['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700::1111'])
      assert.equal(classifyAddress(address), 'public', address);
  },
);

test('URLs that reach a private address are refused in any spelling, including names that resolve there', async () => {
  for (const url of [
    'https://127.0.0.1/hook',
    'https://2130706433/hook',
    'https://0x7f000001/hook',
    'https://0177.0.0.1/hook',
    'https://127.1/hook',
    'https://[::1]/hook',
    'https://[::ffff:10.0.0.1]/hook',
    'https://10.0.0.8/hook',
    'https://192.168.0.10/hook',
    'https://172.20.1.1/hook',
    'https://[fc00::5]/hook',
    'https://localhost/hook',
  ]) {
    assert.match((await targetProblem(url, false)) ?? 'accepted', /private or reserved/, url);
  }
  assert.equal(await targetProblem('http://127.0.0.1:8080/hook', false), 'must be an https:// URL');
  assert.equal(await targetProblem('https://user:pw@127.0.0.1/hook', false), 'must not contain credentials');
});

test('allowing private targets never allows link-local or cloud metadata addresses', async () => {
  assert.equal(await targetProblem('http://127.0.0.1:8080/hook', true), null);
  assert.equal(await targetProblem('http://localhost:8080/hook', true), null);
  for (const url of ['http://169.254.169.254/latest/meta-data', 'http://[fe80::1]/hook', 'http://[fd00:ec2::254]/']) {
    assert.match((await targetProblem(url, true)) ?? 'accepted', /private or reserved/, url);
  }
});

test('delivery checks the address it dials: a refused target is never contacted', async () => {
  let contacted = 0;
  const server = createServer((_req, res) => {
    contacted++;
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const webhook = { messageId: 'evt_1', payload: '{}', secrets: ['whsec_' + Buffer.alloc(24).toString('base64')] };
  try {
    // https: the address guard refuses; http: the scheme is refused before any address is looked at.
    for (const url of [
      `https://127.0.0.1:${port}/`,
      `https://localhost:${port}/`,
      `http://127.0.0.1:${port}/`,
      `http://example.com:${port}/`,
    ]) {
      const outcome = await sendWebhook({ ...webhook, url }, { allowPrivate: false });
      assert.equal(outcome.ok, false);
      assert.match(outcome.error ?? '', /^refused/, url);
    }
    assert.equal(contacted, 0);
    const allowed = await sendWebhook({ ...webhook, url: `http://localhost:${port}/` }, { allowPrivate: true });
    assert.equal(allowed.ok, true);
    assert.equal(contacted, 1);
  } finally {
    server.close();
  }
});
