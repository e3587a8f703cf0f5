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
  // The refusal names the development switch where it would help, and only there.
  assert.match(
    (await targetProblem('http://127.0.0.1:8080/hook', false))!,
    /^must be an https:\/\/ URL \(.*FIELDLINE_WEBHOOK_ALLOW_PRIVATE=1/,
  );
  assert.match((await targetProblem('https://10.0.0.8/hook', false))!, /FIELDLINE_WEBHOOK_ALLOW_PRIVATE=1/);
  assert.doesNotMatch((await targetProblem('https://169.254.169.254/hook', false))!, /FIELDLINE_WEBHOOK_ALLOW_PRIVATE/);
  assert.equal(await targetProblem('ftp://example.com/hook', false), 'must be an https:// URL');
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

// Issue 26, defect 3: IPv6 addresses that carry an IPv4 address are judged by that address too,
// the worse of the two winning. Classification only: nothing here is dialled.
test('IPv6 forms that embed an IPv4 address are classified by the embedded address (worst wins)', () => {
  const cases: Array<[string, 'public' | 'private' | 'forbidden']> = [
    // IPv4-compatible ::/96 (:: and ::1 are their own classes)
    ['::127.0.0.1', 'private'],
    ['::7f00:1', 'private'],
    ['::a9fe:a9fe', 'forbidden'],
    ['::169.254.169.254', 'forbidden'],
    ['::10.0.0.1', 'private'],
    ['::808:808', 'public'],
    ['::', 'private'],
    ['::1', 'private'],
    // IPv4-mapped ::ffff:0:0/96, in hex too
    ['::ffff:a9fe:a9fe', 'forbidden'],
    ['::ffff:7f00:1', 'private'],
    ['::ffff:808:808', 'public'],
    // SIIT ::ffff:0:0:0/96
    ['::ffff:0:a9fe:a9fe', 'forbidden'],
    ['::ffff:0:7f00:1', 'private'],
    ['::ffff:0:808:808', 'public'],
    // NAT64 well-known prefix 64:ff9b::/96
    ['64:ff9b::a9fe:a9fe', 'forbidden'],
    ['64:ff9b::169.254.169.254', 'forbidden'],
    ['64:ff9b::7f00:1', 'private'],
    ['64:ff9b::808:808', 'public'],
    // NAT64 local-use 64:ff9b:1::/48: every RFC 6052 layout a /48../96 prefix allows is read
    ['64:ff9b:1::a9fe:a9fe', 'forbidden'], // /96 layout
    ['64:ff9b:1:a9fe:a9:fe00::', 'forbidden'], // /48 layout: bytes 6,7,9,10
    ['64:ff9b:1:a9:fe:a9fe::', 'forbidden'], // /56 layout: bytes 7,9,10,11
    ['64:ff9b:1:0:a9:fea9:fe00:0', 'forbidden'], // /64 layout: bytes 9-12
    ['64:ff9b:1::808:808', 'private'], // the /48 layout reads 0.0.0.0 here: local use, never public
    // 6to4 2002::/16, IPv4 in bytes 2-5
    ['2002:a9fe:a9fe::', 'forbidden'],
    ['2002:a9fe:a9fe:1:2:3:4:5', 'forbidden'],
    ['2002:7f00:1::', 'private'],
    ['2002:c0a8:101::1', 'private'],
    ['2002:808:808::1', 'public'],
    // Teredo 2001::/32: server in bytes 4-7, client in bytes 12-15 inverted
    ['2001:0:a9fe:a9fe::', 'forbidden'],
    ['2001:0:808:808::5601:5601', 'forbidden'], // client 169.254.169.254 (each byte xor 0xff)
    ['2001:0:808:808::80ff:fffe', 'private'], // client 127.0.0.1
    ['2001:0:7f00:1::f7f7:f7f7', 'private'], // server 127.0.0.1
    ['2001:0:808:808::f7f7:f7f7', 'public'], // server and client 8.8.8.8
  ];
  for (const [address, verdict] of cases) assert.equal(classifyAddress(address), verdict, address);
});

test('IPv6 literals embedding metadata or loopback addresses are refused, private targets allowed or not', async () => {
  for (const host of ['[::127.0.0.1]', '[::a9fe:a9fe]', '[::ffff:0:a9fe:a9fe]', '[64:ff9b:1::a9fe:a9fe]']) {
    assert.match((await targetProblem(`https://${host}/hook`, false)) ?? 'accepted', /private or reserved/, host);
  }
  for (const host of [
    '[::a9fe:a9fe]',
    '[::169.254.169.254]',
    '[::ffff:0:a9fe:a9fe]',
    '[::ffff:169.254.169.254]',
    '[64:ff9b::a9fe:a9fe]',
    '[64:ff9b:1::a9fe:a9fe]',
    '[2002:a9fe:a9fe::]',
    '[2001:0:a9fe:a9fe::]',
    '[2001:0:808:808::5601:5601]',
  ]) {
    assert.match(
      (await targetProblem(`http://${host}/latest/meta-data`, true)) ?? 'accepted',
      /private or reserved/,
      host,
    );
  }
  assert.equal(await targetProblem('http://[::127.0.0.1]:8080/hook', true), null);
  assert.equal(await targetProblem('https://[2002:808:808::1]/hook', false), null);
});
