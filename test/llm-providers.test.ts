// LLM providers, the resource: the key never shown or logged, one default per account, the test
// action (a real call: ok, the provider's 401, 429 retried, 500, timeout, malformed), the webhook
// target policy for base URLs, and tenancy. Providers are played by support/llm-fake.ts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { llmSuite, LLM_TEST_KEY as KEY, rejection } from './support/llm-suite.ts';
import { createTestContext } from './support/test-context.ts';
import { completeChat, hasLlmProvider } from '../src/ai/llm-client.ts';
import { requestLogWriter } from '../src/analytics/analytics-services.ts';

const { s, call, openaiProvider, anthropicProvider, ask, runtimeWith } = llmSuite();

describe('llm-providers resource', () => {
  test('the api key is stored sealed and never returned', async () => {
    const provider = await openaiProvider();
    assert.equal(provider.object, 'llm_provider');
    assert.equal('api_key' in provider, false);
    assert.doesNotMatch(JSON.stringify(provider), /fieldline-secret/);
    const read = await call('GET', `/v1/llm-providers/${provider.id}`);
    assert.equal(read.status, 200);
    assert.doesNotMatch(read.text, /fieldline-secret/);
    const list = await call('GET', '/v1/llm-providers');
    assert.doesNotMatch(list.text, /fieldline-secret/);
    const events = await call('GET', '/v1/events?type=llm_provider.created');
    assert.equal(events.status, 200, events.text);
    assert.equal(events.body.data.length, 1);
    assert.doesNotMatch(events.text, /fieldline-secret/);
    const [stored] = await s.ctx.db.withConnection((c) =>
      c.run(`SELECT api_key FROM llm_providers WHERE id = '${provider.id}'`),
    );
    assert.equal(typeof stored[0].api_key, 'string');
    assert.doesNotMatch(stored[0].api_key, /fieldline-secret/);
  });

  test('a refused create is logged with its body, the api key redacted', async () => {
    const refused = await call('POST', '/v1/llm-providers', { name: 'X', kind: 'bogus', model: 'm', api_key: KEY });
    assert.equal(refused.status, 422);
    assert.doesNotMatch(refused.text, /fieldline-secret/);
    await s.ctx.runtime.use(requestLogWriter).flush();
    const log = await call('GET', `/v1/request-logs/${refused.headers.get('x-request-id')}`);
    assert.equal(log.status, 200, log.text);
    assert.equal(log.body.data.request_body.name, 'X');
    assert.equal(log.body.data.request_body.api_key, '[redacted]');
    assert.doesNotMatch(log.text, /fieldline-secret/);
  });

  test('pointing a provider elsewhere needs the key again: the stored one is never sent to a new address', async () => {
    const provider = await openaiProvider();
    const elsewhere = `${s.fake.url}/other/v1`;
    const moved = await call('PATCH', `/v1/llm-providers/${provider.id}`, { base_url: elsewhere });
    assert.equal(moved.status, 422, moved.text);
    assert.equal(moved.body.errors[0].path, 'api_key');
    const kind = await call('PATCH', `/v1/llm-providers/${provider.id}`, { kind: 'anthropic' });
    assert.equal(kind.status, 422, kind.text);
    const renamed = await call('PATCH', `/v1/llm-providers/${provider.id}`, { name: 'Renamed', max_tokens: 50 });
    assert.equal(renamed.status, 200, renamed.text);
    const rekeyed = await call('PATCH', `/v1/llm-providers/${provider.id}`, { base_url: elsewhere, api_key: 'sk-new' });
    assert.equal(rekeyed.status, 200, rekeyed.text);
    assert.equal(rekeyed.body.data.base_url, elsewhere);
  });

  test('one default per account: making one the default unsets the other', async () => {
    const first = await openaiProvider();
    const second = await anthropicProvider();
    assert.equal(second.is_default, true);
    assert.equal((await call('GET', `/v1/llm-providers/${first.id}`)).body.data.is_default, false);
    const back = await call('PATCH', `/v1/llm-providers/${first.id}`, { is_default: true });
    assert.equal(back.status, 200, back.text);
    assert.equal((await call('GET', `/v1/llm-providers/${second.id}`)).body.data.is_default, false);
    const defaults = await call('GET', '/v1/llm-providers?is_default=true');
    assert.deepEqual(
      defaults.body.data.map((p: { id: string }) => p.id),
      [first.id],
    );
  });
});

describe('failures, retries and the test action', () => {
  test('test action: ok with latency and model, for both kinds', async () => {
    for (const make of [openaiProvider, anthropicProvider]) {
      const provider = await make();
      const tested = await call('POST', `/v1/llm-providers/${provider.id}/test`);
      assert.equal(tested.status, 200, tested.text);
      assert.equal(tested.body.data.ok, true);
      assert.equal(tested.body.data.model, provider.model);
      assert.equal(typeof tested.body.data.latency_ms, 'number');
      assert.equal(tested.body.data.error, null);
    }
    assert.equal(s.fake.requests.length, 2);
  });

  test('a key the provider refuses: the test reports its 401, never the key, nor do the logs', async () => {
    const provider = await openaiProvider();
    s.fake.keys.add('sk-the-only-good-key');
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    try {
      const tested = await call('POST', `/v1/llm-providers/${provider.id}/test`);
      assert.equal(tested.status, 200, tested.text);
      assert.equal(tested.body.data.ok, false);
      assert.equal(tested.body.data.provider_status, 401);
      assert.match(tested.body.data.error, /answered 401/);
      assert.doesNotMatch(tested.text, /fieldline-secret/);
      const error = await rejection(ask('draft_reply', {}, runtimeWith({ logger })));
      assert.equal(error.status, 502);
      assert.doesNotMatch(error.detail + JSON.stringify(error.extra), /fieldline-secret/);
      assert.ok(lines.some((line) => /answered 401/.test(line)));
      assert.doesNotMatch(lines.join('\n'), /fieldline-secret/);
      assert.equal(s.fake.requests.length, 2); // a 401 is not retried
    } finally {
      s.fake.keys.clear();
    }
  });

  test('429 with Retry-After, then success: retried by the SDK after the wait it asks', async () => {
    await anthropicProvider();
    s.fake.failNext({ status: 429, retryAfter: 1 });
    const answer = await ask();
    assert.equal(answer.text, 'ok');
    assert.ok(answer.latencyMs >= 950, `waited ${answer.latencyMs} ms, as Retry-After: 1 asks`);
    assert.equal(s.fake.requests.length, 2);
    assert.equal(s.fake.requests[1].path, '/v1/messages');
  });

  test('500 on every attempt: 502 naming the status after the retries', async () => {
    await openaiProvider();
    s.fake.failNext({ status: 500, message: 'upstream exploded' }, 3);
    const error = await rejection(ask());
    assert.equal(error.code, 'llm_provider_error');
    assert.equal(error.extra.provider_status, 500);
    assert.match(error.detail, /answered 500: upstream exploded/);
    assert.equal(s.fake.requests.length, 3);
  });

  test('slower than timeout_ms: 504 from completeChat, ok: false from the test action', async () => {
    const provider = await openaiProvider({ timeout_ms: 1000 });
    s.fake.failNext({ mode: 'slow', ms: 1500 }, 3);
    const error = await rejection(ask());
    assert.equal(error.status, 504);
    assert.equal(error.code, 'llm_provider_timeout');
    s.fake.failNext({ mode: 'slow', ms: 1500 }, 3);
    const tested = await call('POST', `/v1/llm-providers/${provider.id}/test`);
    assert.equal(tested.status, 200, tested.text);
    assert.equal(tested.body.data.ok, false);
    assert.match(tested.body.data.error, /no answer within 1000 ms/);
  });

  test('malformed body: the test action answers ok: false, the API stays up', async () => {
    const provider = await openaiProvider();
    s.fake.failNext({ mode: 'malformed' });
    const tested = await call('POST', `/v1/llm-providers/${provider.id}/test`);
    assert.equal(tested.status, 200, tested.text);
    assert.equal(tested.body.data.ok, false);
    assert.match(tested.body.data.error, /malformed/);
    assert.equal((await call('GET', `/v1/llm-providers/${provider.id}`)).status, 200);
  });
});

describe('target policy', () => {
  test('a private base_url is refused unless the server allows private targets', async () => {
    const strict = await createTestContext({ webhooks: { allowPrivate: false } });
    try {
      const other = await strict.newAccount('Strict Co');
      for (const base_url of [s.fake.openaiBaseUrl, 'https://10.1.2.3/v1', 'https://169.254.169.254/v1']) {
        const refused = await strict.call('POST', '/v1/llm-providers', {
          key: other.key,
          body: { name: 'Local', kind: 'openai', model: 'm', base_url, api_key: KEY },
        });
        assert.equal(refused.status, 422, `${base_url}: ${refused.text}`);
        assert.equal(refused.body.errors[0].path, 'base_url');
      }
    } finally {
      await strict.close();
    }
    assert.equal(s.fake.requests.length, 0);
  });

  test('a saved loopback URL is refused at connect time once private targets are not allowed', async () => {
    await openaiProvider();
    const strict = runtimeWith({ options: { webhooks: { allowPrivate: false } } });
    const error = await rejection(ask('draft_reply', {}, strict));
    assert.equal(error.code, 'llm_provider_error');
    assert.match(error.detail, /refused/);
    assert.equal(s.fake.requests.length, 0);
  });
});

describe('tenancy', () => {
  test("another account's provider is 404 and never used", async () => {
    const theirs = await openaiProvider();
    const mine = await s.ctx.newAccount('Other Co');
    const other = (method: string, path: string) => s.ctx.call(method, path, { key: mine.key });
    assert.equal((await other('GET', `/v1/llm-providers/${theirs.id}`)).status, 404);
    assert.equal((await other('POST', `/v1/llm-providers/${theirs.id}/test`)).status, 404);
    assert.equal(await hasLlmProvider(s.ctx.runtime, mine.id), false);
    const named = await rejection(
      completeChat(s.ctx.runtime, mine.id, { system: 's', messages: [], purpose: 'x' }, { providerId: theirs.id }),
    );
    assert.equal(named.status, 404);
    const unnamed = await rejection(completeChat(s.ctx.runtime, mine.id, { system: 's', messages: [], purpose: 'x' }));
    assert.equal(unnamed.code, 'llm_provider_missing');
    assert.equal(s.fake.requests.length, 0);
  });
});
