import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { defineOperation } from '../platform/api/define-operation.ts';
import type { Authentication, Operation } from '../platform/api/operation.ts';
import { gate } from './gate.ts';
import { appWith, httpKit, principalWith, send, type KitOptions } from '../../test/support/http-kit.ts';

const session = {
  sessionId: 'ses_1',
  personId: 'per_1',
  person: { id: 'per_1', name: 'Ada', email: 'ada@example.test', email_verified: true },
  expiresAt: Date.now() + 60_000,
};
const tokens: KitOptions['tokens'] = {
  reader: { principal: principalWith(['read:jobs']) },
  writer: { principal: principalWith(['write:*', 'read:*']) },
  person: { principal: principalWith(['read:*']), session: { ...session, principal: principalWith(['read:*']) } },
  outsider: { principal: null, session: { ...session, principal: null } },
};

function operationFor(authentication: Authentication, scope: string | null, bucket: Operation['bucket'] = 'read') {
  return defineOperation({
    method: 'get',
    path: '/v1/thing',
    operationId: 'getThing',
    summary: 'A thing',
    tag: 'Test',
    scope,
    authentication,
    bucket,
    response: z.object({}),
    handle: async () => ({ status: 200, body: {} }),
  });
}

function gated(operation: Operation, options: KitOptions = {}) {
  const kit = httpKit({ tokens, ...options });
  const app = appWith('/v1/thing', gate(operation, '/v1/thing', kit.runtime), (c) =>
    c.json({ account: c.get('principal')?.accountId ?? null, session: c.get('session')?.sessionId ?? null }),
  );
  const call = (token?: string, headers: Record<string, string> = {}) =>
    send(app, '/v1/thing', { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });
  return { ...kit, call };
}

describe('the gate', () => {
  it("lets a credential with the scope through, charged once in the operation's bucket", async () => {
    const { call, ledger } = gated(operationFor('credential', 'read:jobs'));
    const { status, body } = await call('reader');
    assert.deepEqual([status, body.account], [200, 'acct_test']);
    assert.deepEqual(ledger.charged, ['acct_test:read']);
  });

  it(
    'refuses no credential and an unknown one with 401 and a challenge, ' + 'counting the failure per address',
    async () => {
      const { call, ledger } = gated(operationFor('credential', 'read:jobs'));
      for (const token of [undefined, 'nobody']) {
        const { status, headers, body } = await call(token);
        assert.deepEqual([status, body.code], [401, 'unauthenticated']);
        assert.match(headers.get('www-authenticate') ?? '', /^Bearer realm="fieldline"/);
      }
      assert.equal(ledger.failedAuthentications, 2);
      assert.deepEqual(ledger.charged, [], 'nothing is charged to a caller nobody knows');
    },
  );

  it('charges before it checks the scope: a key without it is refused (403, naming it) and still counted', async () => {
    const { call, ledger } = gated(operationFor('credential', 'write:jobs'));
    const { status, body } = await call('reader');
    assert.deepEqual([status, body.code, body.required_scope], [403, 'insufficient_scope', 'write:jobs']);
    assert.deepEqual(ledger.charged, ['acct_test:read']);
  });

  it('answers 429 past the limit, before the scope is looked at', async () => {
    const { call } = gated(operationFor('credential', 'write:jobs'), { exhausted: ['read'] });
    assert.equal((await call('reader')).body.code, 'rate_limited');
  });

  it('decides the bucket from the query when the operation says so (a search is expensive)', async () => {
    const bucket = {
      from: 'query' as const,
      decide: (query: URLSearchParams) => (query.has('q') ? ('expensive' as const) : ('read' as const)),
    };
    const kit = httpKit({ tokens });
    const app = appWith('/v1/thing', gate(operationFor('credential', null, bucket), '/v1/thing', kit.runtime), (c) =>
      c.text('ok'),
    );
    await send(app, '/v1/thing?q=plumb', { headers: { authorization: 'Bearer reader' } });
    await send(app, '/v1/thing', { headers: { authorization: 'Bearer reader' } });
    assert.deepEqual(kit.ledger.charged, ['acct_test:expensive', 'acct_test:read']);
  });

  it('takes a session on session operations, with or without an account, and refuses a key there', async () => {
    const { call } = gated(operationFor('session', null));
    assert.deepEqual((await call('person')).body, { account: 'acct_test', session: 'ses_1' });
    assert.deepEqual((await call('outsider')).body, { account: null, session: 'ses_1' });
    assert.equal((await call('reader')).status, 401);
  });

  it('refuses a session acting in no account on credential operations (403: choose an account)', async () => {
    const { call } = gated(operationFor('credential', null));
    const { status, body } = await call('outsider');
    assert.deepEqual([status, body.code], [403, 'forbidden']);
    assert.match(body.detail, /switch-account/);
  });

  it('limits operations open to anyone per address, and leaves a signed request to its operation', async () => {
    const open = gated(operationFor('none', null));
    assert.equal((await open.call()).status, 200);
    assert.deepEqual(open.ledger.addresses, [null], 'in-process requests have no address');
    const signed = gated(operationFor('signature', null));
    assert.equal((await signed.call()).status, 200);
    assert.deepEqual([signed.ledger.addresses, signed.ledger.charged], [[], []]);
  });

  it('charges nothing when traffic control is off (the benchmark baseline)', async () => {
    const { call, ledger } = gated(operationFor('credential', 'read:jobs'), { trafficControl: false });
    assert.equal((await call('reader')).status, 200);
    assert.deepEqual(ledger.charged, []);
  });

  it('names the challenge an operation asks for (MCP points at its OAuth metadata)', async () => {
    const operation = { ...operationFor('credential', null), challenge: () => 'Bearer resource_metadata="x"' };
    const { call } = gated(operation);
    assert.equal((await call()).headers.get('www-authenticate'), 'Bearer resource_metadata="x"');
  });
});
