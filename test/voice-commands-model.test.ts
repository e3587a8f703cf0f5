// Voice commands with the account's LLM provider (the local fake on 127.0.0.1): audio, as base64
// JSON or a multipart upload, is transcribed by its speech-to-text API and then planned like
// text; a model's plan is confirmed like the grammar's and really changes the job; a provider
// that fails is a problem, not a 500. And a technician's scopes bound what their commands do.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, type TestAccount, type TestContext } from './support/test-context.ts';
import { assertProblem } from './support/problem-assertions.ts';
import { multipartBody } from './support/uploads.ts';
import { startLlmFake, type LlmFake } from './support/llm-fake.ts';
import { seedVoiceAccount, speak, VOICE_NOW, type VoiceSeed } from './support/voice-seed.ts';
import { roleScopes } from '../src/auth/roles.ts';

let t: TestContext;
let fake: LlmFake;
let account: TestAccount;
let seed: VoiceSeed;

/** A few bytes standing for a recording: the fake transcribes whatever it is sent. */
const RECORDING = Buffer.from('ID3 fake mp3 frames of a spoken command');

before(async () => {
  t = await createTestContext({ voice: { now: () => VOICE_NOW } });
  fake = await startLlmFake();
  account = await t.newAccount('Spoken Plumbing');
  seed = await seedVoiceAccount(t, account);
  const provider = await t.call('POST', '/v1/llm-providers', {
    key: account.key,
    body: {
      name: 'Fake',
      kind: 'openai',
      model: 'gpt-test',
      base_url: fake.openaiBaseUrl,
      api_key: 'sk-test',
      is_default: true,
    },
  });
  assert.equal(provider.status, 201, provider.text);
});
after(async () => {
  await fake.close();
  await t.close();
});

const get = async (path: string) => (await t.call('GET', path, { key: account.key })).body.data;
const audioBody = (extra: Record<string, unknown> = {}) => ({
  audio: { data: RECORDING.toString('base64'), content_type: 'audio/mpeg' },
  ...extra,
});

describe('voice commands with an LLM provider', () => {
  it('transcribes base64 audio, then plans the transcript with the grammar', async () => {
    fake.transcript = 'Start the Garcia fence job';
    const before = fake.requests.length;
    const response = await t.call('POST', '/v1/voice-commands', { key: account.key, body: audioBody() });
    assert.equal(response.status, 201, response.text);
    const command = response.body.data;
    assert.equal(command.source, 'audio');
    assert.equal(command.text, 'Start the Garcia fence job');
    assert.equal(command.parser, 'grammar');
    assert.deepEqual(
      command.plan.map((step: any) => step.tool),
      ['customers_list', 'jobs_list', 'jobs_start'],
    );
    const sent = fake.requests.slice(before).find((request) => request.path === '/v1/audio/transcriptions')!;
    assert.equal(sent.body.file.size, RECORDING.length);
  });

  it('takes a multipart upload too, and confirm=true runs the writes', async () => {
    fake.transcript = 'Start the Garcia fence job.';
    const upload = await multipartBody(
      { confirm: 'true' },
      { bytes: RECORDING, type: 'audio/mpeg', name: 'command.mp3' },
    );
    const response = await t.call('POST', '/v1/voice/commands/audio', { key: account.key, ...upload });
    assert.equal(response.status, 201, response.text);
    assert.equal(response.body.data.status, 'executed', response.body.data.summary);
    assert.equal((await get(`/v1/jobs/${seed.jobs.fence}`)).status, 'in_progress');
  });

  it('refuses a recording that says nothing (422), and audio without a provider (409)', async () => {
    fake.transcript = '  ';
    const silent = await t.call('POST', '/v1/voice-commands', { key: account.key, body: audioBody() });
    assert.match(assertProblem(silent, 422, 'validation_failed').detail, /empty/);
    const other = await t.newAccount('No Provider');
    const refused = await t.call('POST', '/v1/voice-commands', { key: other.key, body: audioBody() });
    assertProblem(refused, 409, 'llm_provider_missing');
    const both = await t.call('POST', '/v1/voice-commands', { key: account.key, body: audioBody({ text: 'hi' }) });
    assertProblem(both, 422, 'validation_failed');
  });

  it('runs a model’s planned write once confirmed', async () => {
    fake.reply(
      { toolCalls: [{ name: 'jobs_list', arguments: { customer_id: seed.customers.smith, q: 'roof' } }] },
      { toolCalls: [{ name: 'jobs_update', arguments: { id: seed.jobs.roof, priority: 'urgent' } }] },
      { text: 'The roof inspection becomes urgent once you confirm.' },
    );
    const command = await speak(t, account.key, 'Bump the Smith roof inspection up to urgent');
    assert.equal(command.parser, 'llm');
    assert.equal(command.status, 'planned', command.summary);
    assert.equal(command.llm.model, 'gpt-test');
    assert.ok(command.llm.input_tokens > 0);
    assert.equal((await get(`/v1/jobs/${seed.jobs.roof}`)).priority, 'normal');
    const confirmed = await t.call('POST', `/v1/voice-commands/${command.id}/confirm`, { key: account.key });
    assert.equal(confirmed.status, 200, confirmed.text);
    assert.equal(confirmed.body.data.status, 'executed');
    assert.equal((await get(`/v1/jobs/${seed.jobs.roof}`)).priority, 'urgent');
  });

  it('answers a failing provider with its problem, not a 500', async () => {
    fake.failNext({ status: 500 }, 5);
    const response = await t.call('POST', '/v1/voice-commands', {
      key: account.key,
      body: { text: 'Tell the Smiths we will be late' },
    });
    assertProblem(response, 502, 'llm_provider_error');
  });

  it('lets a technician speak, within a technician’s scopes', async () => {
    const technician = await t.newKey(account.id, roleScopes(t.registry, 'technician'));
    const command = await speak(t, technician, 'Invoice the Ann Lee furnace job for $90');
    assert.equal(command.status, 'not_allowed');
    assert.deepEqual(
      command.plan.map((step: any) => `${step.tool}:${step.status}`),
      ['customers_list:done', 'jobs_list:done', 'invoices_create:not_allowed'],
    );
    assert.equal(command.plan[2].missing_scope, 'write:invoices');
    const invoices = await get(`/v1/invoices?customer_id=${seed.customers.annLee}`);
    assert.deepEqual(invoices, []);
  });
});
