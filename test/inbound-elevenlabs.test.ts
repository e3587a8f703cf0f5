// ElevenLabs post-call webhooks into call logs. Requests are signed here with node:crypto the
// way ElevenLabs documents it (ElevenLabs-Signature: t=<seconds>,v0=<hex HMAC-SHA256 of
// "<t>.<body>">), independently of the provider's own code.
import { describe, test, before, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { accountClient, createTestContext, type TestContext, type TestAccount } from './support/test-context.ts';

const SECRET = `wsec_${'4f'.repeat(32)}`;
const OTHER_SECRET = `wsec_${'a7'.repeat(32)}`;
const START = 1_795_000_000; // 2026-11-18T11:06:40Z

let ctx: TestContext;
let account: TestAccount;
before(async () => {
  ctx = await createTestContext();
});
after(async () => {
  await ctx.close();
});
beforeEach(async () => {
  account = await ctx.newAccount('Voice Co');
});

const { call } = accountClient(
  () => ctx,
  () => account,
);

async function createSource(secret = SECRET, key = account.key) {
  const created = await call('POST', '/v1/inbound-sources', { provider: 'elevenlabs', signing_secret: secret }, key);
  assert.equal(created.status, 201, created.text);
  return created.body.data as { id: string; url_path: string };
}

const signature = (body: string, secret: string, at: number) =>
  `t=${at},v0=${createHmac('sha256', secret).update(`${at}.${body}`).digest('hex')}`;

/** Posts `body` (an object is sent as JSON) signed for `signedBody` (by default the body itself). */
function post(
  path: string,
  body: unknown,
  options: { secret?: string; at?: number; signedBody?: string; header?: string | null } = {},
) {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const at = options.at ?? Math.floor(Date.now() / 1000);
  const header =
    options.header === undefined ? signature(options.signedBody ?? raw, options.secret ?? SECRET, at) : options.header;
  return ctx.call('POST', path, {
    rawBody: raw,
    headers: { 'content-type': 'application/json', ...(header === null ? {} : { 'elevenlabs-signature': header }) },
  });
}

/** A post_call_transcription event shaped like ElevenLabs' documented example, with a Twilio phone call. */
const transcription = (conversationId: string, overrides: Record<string, unknown> = {}) => ({
  type: 'post_call_transcription',
  event_timestamp: START + 200,
  data: {
    agent_id: 'agent_01jy',
    conversation_id: conversationId,
    status: 'done',
    user_id: null,
    transcript: [
      { role: 'agent', message: 'Thanks for calling Acme Heating, how can I help?', time_in_call_secs: 0 },
      { role: 'user', message: 'My boiler stopped working this morning.', time_in_call_secs: 4 },
      { role: 'agent', message: null, tool_calls: [{ tool_name: 'lookup' }], time_in_call_secs: 7 },
      { role: 'agent', message: 'I can book a technician for tomorrow at 9.', time_in_call_secs: 9 },
    ],
    metadata: {
      start_time_unix_secs: START,
      call_duration_secs: 95,
      cost: 296,
      phone_call: {
        type: 'twilio',
        direction: 'inbound',
        phone_number_id: 'phnum_1',
        agent_number: '+15550100100',
        external_number: '+15550100199',
        stream_sid: 'MZ1',
        call_sid: 'CA1',
      },
    },
    analysis: {
      evaluation_criteria_results: {},
      data_collection_results: {},
      call_successful: 'success',
      transcript_summary: 'The caller reported a broken boiler; a visit was offered for tomorrow at 9.',
    },
    conversation_initiation_client_data: { dynamic_variables: {} },
    ...overrides,
  },
});

const callLogs = async (key = account.key) => (await call('GET', '/v1/call-logs', undefined, key)).body.data as any[];
const requestsOf = async (sourceId: string) =>
  (await call('GET', `/v1/inbound-sources/${sourceId}/requests?sort=created_at`)).body.data as any[];

describe('ElevenLabs sources', () => {
  test('a source takes the secret ElevenLabs issued, write-only, and refuses one that cannot be it', async () => {
    const source = await createSource();
    assert.match(source.url_path, /^\/v1\/inbound\/elevenlabs\/ibt_[A-Za-z0-9_-]{24}$/);
    assert.equal('signing_secret' in source, false);
    for (const bad of ['short', 'has a space in it somewhere']) {
      const refused = await call('POST', '/v1/inbound-sources', { provider: 'elevenlabs', signing_secret: bad });
      assert.equal(refused.status, 422, bad);
      assert.equal(refused.body.errors[0].path, 'signing_secret');
    }
  });
});

describe('post_call_transcription', () => {
  test('makes one call log with the transcript, summary, times, numbers and the customer by phone', async () => {
    const customer = await call('POST', '/v1/customers', { name: 'Ada Caller', phone: '+1 (555) 010-0199' });
    const source = await createSource();
    const answer = await post(source.url_path, transcription('conv_01abc'));
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.body.data.outcome, 'applied');

    const [log, ...more] = await callLogs();
    assert.equal(more.length, 0);
    assert.equal(log.provider_call_id, 'conv_01abc');
    assert.equal(log.customer_id, customer.body.data.id);
    assert.equal(log.direction, 'inbound');
    assert.equal(log.from_number, '+15550100199');
    assert.equal(log.to_number, '+15550100100');
    assert.equal(log.status, 'completed');
    assert.equal(log.started_at, '2026-11-18T11:06:40.000Z');
    assert.equal(log.ended_at, '2026-11-18T11:08:15.000Z');
    assert.equal(log.duration_seconds, 95);
    assert.equal(log.summary, 'The caller reported a broken boiler; a visit was offered for tomorrow at 9.');
    assert.equal(
      log.transcript,
      'Agent: Thanks for calling Acme Heating, how can I help?\n' +
        'Caller: My boiler stopped working this morning.\n' +
        'Agent: I can book a technician for tomorrow at 9.',
    );
    const [logged] = await requestsOf(source.id);
    assert.equal(logged.external_id, 'post_call_transcription:conv_01abc');
    assert.deepEqual(logged.objects, [log.id]);

    const events = (await call('GET', '/v1/events?type=call_log.created')).body.data as any[];
    assert.equal(events.length, 1);
    assert.equal(events[0].data.object.id, log.id);
  });

  test('an outbound call is from our number to theirs; a web conversation has no numbers', async () => {
    const customer = await call('POST', '/v1/customers', { name: 'Called Back', phone: '555-010-0177' });
    const source = await createSource();
    const outbound = transcription('conv_out');
    Object.assign(outbound.data.metadata.phone_call, { direction: 'outbound', external_number: '5550100177' });
    assert.equal((await post(source.url_path, outbound)).status, 200);
    const web = transcription('conv_web');
    delete (web.data.metadata as Record<string, unknown>).phone_call;
    assert.equal((await post(source.url_path, web)).status, 200);

    const logs = Object.fromEntries((await callLogs()).map((l) => [l.provider_call_id, l]));
    assert.equal(logs.conv_out.direction, 'outbound');
    assert.equal(logs.conv_out.from_number, '+15550100100');
    assert.equal(logs.conv_out.to_number, '5550100177');
    assert.equal(logs.conv_out.customer_id, customer.body.data.id);
    assert.equal(logs.conv_web.from_number, null);
    assert.equal(logs.conv_web.customer_id, null);
  });

  test('the same delivery twice, or the conversation sent again, is still one call log', async () => {
    const source = await createSource();
    const body = JSON.stringify(transcription('conv_twice'));
    assert.equal((await post(source.url_path, body)).body.data.outcome, 'applied');
    const replay = await post(source.url_path, body);
    assert.equal(replay.status, 200);
    assert.equal(replay.body.data.outcome, 'duplicate');
    const resent = await post(source.url_path, { ...transcription('conv_twice'), event_timestamp: START + 900 });
    assert.equal(resent.body.data.outcome, 'duplicate');
    assert.equal((await callLogs()).length, 1);
    assert.equal((await call('GET', '/v1/events?type=call_log.created')).body.data.length, 1);
  });
});

describe('signatures', () => {
  test('a wrong secret, a stale or future time, a tampered body or no header: refused, nothing written', async () => {
    const source = await createSource();
    const now = Math.floor(Date.now() / 1000);
    const event = transcription('conv_forged');
    const body = JSON.stringify(event);
    const tampered = JSON.stringify({ ...event, data: { ...event.data, conversation_id: 'conv_other' } });
    const refused = [
      await post(source.url_path, body, { secret: OTHER_SECRET }),
      await post(source.url_path, body, { at: now - 31 * 60 }),
      await post(source.url_path, body, { at: now + 31 * 60 }),
      await post(source.url_path, tampered, { signedBody: body }),
      await post(source.url_path, body, { header: null }),
      await post(source.url_path, body, { header: `t=${now},v1=${'0'.repeat(64)}` }),
    ];
    for (const [i, answer] of refused.entries()) {
      assert.equal(answer.status, 400, `case ${i}: ${answer.text}`);
      assert.equal(answer.body.code, 'invalid_signature');
    }
    assert.equal((await callLogs()).length, 0);
    const logged = await requestsOf(source.id);
    assert.deepEqual(
      logged.map((r) => r.outcome),
      Array(refused.length).fill('rejected'),
    );
    // Within the documented 30 minutes, an older timestamp is accepted.
    assert.equal((await post(source.url_path, body, { at: now - 25 * 60 })).status, 200);
  });

  test("another account's URL does not write into this account, whatever it is signed with", async () => {
    const mine = await createSource();
    const other = await ctx.newAccount('Other Co');
    const theirs = await createSource(OTHER_SECRET, other.key);
    const signedWithMine = await post(theirs.url_path, transcription('conv_cross'));
    assert.equal(signedWithMine.status, 400);
    const signedWithTheirs = await post(theirs.url_path, transcription('conv_cross'), { secret: OTHER_SECRET });
    assert.equal(signedWithTheirs.status, 200);
    assert.equal((await callLogs()).length, 0, 'nothing in this account');
    assert.equal((await callLogs(other.key)).length, 1, 'the call log is in the account whose URL it is');
    assert.equal((await requestsOf(mine.id)).length, 0);
  });
});

describe('bad payloads', () => {
  test('authentic but malformed JSON is a 422 and writes nothing', async () => {
    const source = await createSource();
    const answer = await post(source.url_path, '{"type": "post_call_transcription", "data": {');
    assert.equal(answer.status, 422, answer.text);
    assert.match(answer.body.errors[0].message, /not JSON/);
    assert.equal((await callLogs()).length, 0);
    assert.deepEqual(
      (await requestsOf(source.id)).map((r) => [r.verified, r.outcome]),
      [[true, 'failed']],
    );
  });

  test('fields of the wrong type or size are a 422 naming them, and write nothing', async () => {
    const source = await createSource();
    const event = transcription('conv_bad');
    const bad = {
      ...event,
      data: {
        ...event.data,
        transcript: [{ role: 'agent', message: 42 }],
        metadata: { ...event.data.metadata, call_duration_secs: -5 },
      },
    };
    const answer = await post(source.url_path, bad);
    assert.equal(answer.status, 422, answer.text);
    assert.deepEqual(answer.body.errors.map((e: any) => e.path).sort(), [
      'data.metadata.call_duration_secs',
      'data.transcript.0.message',
    ]);
    const missing = await post(source.url_path, { type: 'post_call_transcription', data: { status: 'done' } });
    assert.equal(missing.status, 422);
    assert.equal(missing.body.errors[0].path, 'data.conversation_id');
    assert.equal((await callLogs()).length, 0);
  });

  test('post_call_audio and unknown types are acknowledged and ignored', async () => {
    const source = await createSource();
    const audio = await post(source.url_path, {
      type: 'post_call_audio',
      event_timestamp: START,
      data: { agent_id: 'agent_01jy', conversation_id: 'conv_audio', full_audio: 'SUQzBAAAAAAA' },
    });
    assert.equal(audio.status, 200, audio.text);
    assert.equal(audio.body.data.outcome, 'ignored');
    assert.match(audio.body.data.detail, /no audio/);
    const unknown = await post(source.url_path, { type: 'voice_removal_notice', data: { voice_id: 'v1' } });
    assert.equal(unknown.status, 200);
    assert.equal(unknown.body.data.outcome, 'ignored');
    assert.equal((await callLogs()).length, 0);
  });
});

describe('call_initiation_failure', () => {
  test('records a failed outbound call with the reason, linked to the customer it was for', async () => {
    // Formatted the other way round from the first test: ElevenLabs' number has the spaces.
    const customer = await call('POST', '/v1/customers', { name: 'Not Home', phone: '+442079460018' });
    const source = await createSource();
    const answer = await post(source.url_path, {
      type: 'call_initiation_failure',
      event_timestamp: START,
      data: {
        agent_id: 'agent_01jy',
        conversation_id: 'conv_busy',
        failure_reason: 'busy',
        metadata: {
          type: 'twilio',
          body: { To: '+44 20 7946 0018', From: '+15550100100', CallStatus: 'busy', Direction: 'outbound-api' },
        },
      },
    });
    assert.equal(answer.status, 200, answer.text);
    const [log] = await callLogs();
    assert.equal(log.provider_call_id, 'conv_busy');
    assert.equal(log.status, 'failed');
    assert.equal(log.direction, 'outbound');
    assert.equal(log.to_number, '+44 20 7946 0018');
    assert.equal(log.customer_id, customer.body.data.id);
    assert.equal(log.started_at, '2026-11-18T11:06:40.000Z');
    assert.match(log.summary, /could not be placed: busy/);
  });

  test('does not turn a conversation that took place into a failed one', async () => {
    const source = await createSource();
    assert.equal((await post(source.url_path, transcription('conv_done'))).status, 200);
    const failure = {
      type: 'call_initiation_failure',
      data: { conversation_id: 'conv_done', failure_reason: 'no-answer', metadata: { type: 'sip', body: {} } },
    };
    const answer = await post(source.url_path, failure);
    assert.equal(answer.status, 200, answer.text);
    const [log, ...more] = await callLogs();
    assert.equal(more.length, 0);
    assert.equal(log.status, 'completed');
    assert.match(log.summary, /broken boiler/);
  });
});
