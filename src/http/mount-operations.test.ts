import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Hono } from 'hono';
import { z } from 'zod';
import { defineOperation, type OperationDeclaration } from '../platform/api/define-operation.ts';
import { mountOperations } from './mount-operations.ts';
import { notFoundHandler, problemHandler } from './problem.ts';
import { responseBasics } from './response-basics.ts';
import { httpKit, principalWith, send } from '../../test/support/http-kit.ts';

const operation = (
  declared: Partial<OperationDeclaration<any, any>> & Pick<OperationDeclaration<any, any>, 'method' | 'path'>,
) =>
  defineOperation<any, any>({
    operationId: `${declared.method}${declared.path.replace(/\W/g, '')}`,
    summary: 'x',
    tag: 'Test',
    scope: null,
    bucket: 'read',
    response: z.unknown(),
    handle: async (call) => ({
      status: 200,
      body: { data: { params: call.params, query: call.query, body: call.body } },
    }),
    ...declared,
  });

function mounted(operations: ReturnType<typeof operation>[]) {
  const kit = httpKit({ tokens: { key: { principal: principalWith(['read:*', 'write:*']) } } });
  const app = new Hono();
  app.use(responseBasics({ trustProxy: false }));
  app.onError(problemHandler(kit.runtime.logger));
  app.notFound(notFoundHandler);
  mountOperations(app, operations, kit.runtime);
  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    send(app, path, {
      method,
      headers: {
        authorization: 'Bearer key',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  return { ...kit, call };
}

describe('mounting the operation table', () => {
  it('answers a method a path lacks with 405 and Allow listing the ones it has', async () => {
    const { call } = mounted([
      operation({ method: 'get', path: '/v1/things' }),
      operation({ method: 'post', path: '/v1/things' }),
    ]);
    const { status, headers, body } = await call('DELETE', '/v1/things');
    assert.deepEqual([status, body.code, headers.get('allow')], [405, 'method_not_allowed', 'GET, POST']);
  });

  it('matches static paths before {id} ones: /things/bulk is not a thing called "bulk"', async () => {
    const { call } = mounted([
      operation({ method: 'get', path: '/v1/things/{id}' }),
      operation({ method: 'post', path: '/v1/things/bulk' }),
    ]);
    assert.deepEqual((await call('GET', '/v1/things/thg_1')).body.data.params, { id: 'thg_1' });
    assert.equal((await call('GET', '/v1/things/bulk')).status, 405);
  });

  it("checks the query and the body by the operation's schemas: unknown parameters 400, bad fields 422", async () => {
    const { call } = mounted([
      operation({ method: 'get', path: '/v1/search', query: z.strictObject({ q: z.string().min(1) }) }),
      operation({ method: 'post', path: '/v1/things', body: z.strictObject({ name: z.string().optional() }) }),
    ]);
    assert.deepEqual((await call('GET', '/v1/search?q=pl')).body.data.query, { q: 'pl' });
    assert.equal((await call('GET', '/v1/search?q=pl&x=1')).body.code, 'bad_request');
    assert.equal((await call('GET', '/v1/search?q=a&q=b')).body.code, 'bad_request');
    const invalid = await call('POST', '/v1/things', { name: 5, extra: true });
    assert.deepEqual(invalid.body.errors.map((e: { path: string }) => e.path).sort(), ['extra', 'name']);
    assert.deepEqual((await call('POST', '/v1/things')).body.data.body, {}, 'an empty optional body reads as {}');
  });

  it('authenticates before it reads a body: a bad body from nobody is a 401, not a 400', async () => {
    const { call } = mounted([operation({ method: 'post', path: '/v1/things', body: z.object({}) })]);
    const anonymous = await call('POST', '/v1/things', undefined, {
      authorization: '',
      'content-type': 'application/json',
    });
    assert.equal(anonymous.status, 401);
  });

  it('charges an operation its body decides the bucket of once the body is read', async () => {
    const { call, ledger } = mounted([
      operation({
        method: 'post',
        path: '/v1/messages',
        body: z.object({ kind: z.string() }),
        bucket: {
          from: 'body',
          decide: (body) => ((body as { kind?: string }).kind === 'heavy' ? 'expensive' : 'read'),
        },
      }),
    ]);
    await call('POST', '/v1/messages', { kind: 'heavy' });
    await call('POST', '/v1/messages', { kind: 'light' });
    assert.deepEqual(ledger.charged, ['acct_test:expensive', 'acct_test:read']);
  });

  it("sends a protocol's own response as it is, and a stream with its media type", async () => {
    const { call } = mounted([
      operation({
        method: 'get',
        path: '/v1/raw',
        handle: async () => ({ response: new Response('<p>hi</p>', { status: 203 }) }),
      }),
      operation({
        method: 'get',
        path: '/v1/file',
        handle: async () => ({
          status: 200,
          stream: new Blob(['a,b']).stream(),
          contentType: 'text/csv',
          filename: 'x.csv',
        }),
      }),
    ]);
    const raw = await call('GET', '/v1/raw');
    assert.deepEqual([raw.status, raw.text], [203, '<p>hi</p>']);
    const file = await call('GET', '/v1/file');
    assert.deepEqual(
      [file.text, file.headers.get('content-type'), file.headers.get('content-disposition')],
      ['a,b', 'text/csv', `attachment; filename="x.csv"; filename*=UTF-8''x.csv`],
    );
  });
});
