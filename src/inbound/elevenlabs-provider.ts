// ElevenLabs Agents' post-call webhooks. Verified as ElevenLabs documents it
// (elevenlabs.io/docs, "Webhooks" > HMAC authentication; their SDKs' construct_event):
// `ElevenLabs-Signature: t=<unix seconds>,v0=<hex HMAC-SHA256 of "<t>.<raw body>">`, keyed with
// the webhook's secret, timestamps within 30 minutes. Hand-written rather than through
// @elevenlabs/elevenlabs-js: its constructEvent compares with !== (not constant time) and
// comes with the whole API client; these lines are all of the scheme.
// Each conversation is one call log, keyed by its conversation_id.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { validationFailed } from '../platform/errors.ts';
import { zodIssuesToFieldErrors } from '../platform/operations/write-input.ts';
import type { Row } from '../db/database.ts';
import { ignored, InboundVerificationError, type InboundProvider, type VerifiedInbound } from './inbound-provider.ts';
import { upsertCallLog, type CallParties } from './call-log-upsert.ts';
import type { OperationContext } from '../platform/contract.ts';

export const ELEVENLABS_TOLERANCE_SECONDS = 30 * 60;
const TRANSCRIPT_MAX = 200_000;
const SUMMARY_MAX = 5000;
/** What the call log's phone fields accept; anything else (a SIP URI) is left out rather than failing the call. */
const PHONE_SHAPE = /^\+?[0-9 ().-]{5,32}$/;
const NOT_JSON = Symbol('not JSON');

const ConversationId = z.string().min(1).max(200);
/** Year 9999 at most: what PostgreSQL and the API's timestamps hold. */
const UnixSeconds = z.number().min(0).max(253_402_300_799);
const Text = (max: number) => z.string().max(max).nullish();

const Envelope = z.object({ type: z.string().min(1).max(100), event_timestamp: UnixSeconds.nullish() });

const Transcription = z.object({
  conversation_id: ConversationId,
  agent_id: Text(200),
  status: Text(50),
  transcript: z
    .array(
      z.object({
        role: z.string().max(50),
        message: Text(TRANSCRIPT_MAX),
        time_in_call_secs: z.number().min(0).nullish(),
      }),
    )
    .max(50_000)
    .nullish(),
  metadata: z
    .object({
      start_time_unix_secs: UnixSeconds.nullish(),
      call_duration_secs: z.number().min(0).max(31_536_000).nullish(),
      // Present for phone calls (Twilio or SIP trunking); absent for web and widget conversations.
      phone_call: z
        .object({
          direction: z.enum(['inbound', 'outbound']).nullish(),
          external_number: Text(200),
          agent_number: Text(200),
        })
        .nullish(),
    })
    .nullish(),
  analysis: z.object({ transcript_summary: Text(100_000), call_successful: Text(50) }).nullish(),
});

const InitiationFailure = z.object({
  conversation_id: ConversationId,
  agent_id: Text(200),
  failure_reason: Text(500),
  // `body` is what the telephony provider reported: Twilio's status callback (To, From, ...) or SIP's.
  metadata: z.object({ type: Text(50), body: z.record(z.string(), z.unknown()).nullish() }).nullish(),
});

function parse<T>(schema: z.ZodType<T>, value: unknown, prefix: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationFailed(zodIssuesToFieldErrors(parsed.error.issues, prefix));
  return parsed.data;
}

const isoOf = (seconds: number) => new Date(Math.round(seconds * 1000)).toISOString();
const phoneOrNull = (value: unknown) =>
  typeof value === 'string' && PHONE_SHAPE.test(value.trim()) ? value.trim() : null;
const cut = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** "Agent: …" and "Caller: …" lines; turns without words (tool calls) are left out. */
function readableTranscript(turns: z.infer<typeof Transcription>['transcript']): string | undefined {
  if (!turns) return undefined;
  const speaker = (role: string) =>
    role === 'agent' ? 'Agent' : role === 'user' ? 'Caller' : role.charAt(0).toUpperCase() + role.slice(1);
  const lines = turns.filter((turn) => turn.message?.trim()).map((t) => `${speaker(t.role)}: ${t.message!.trim()}`);
  return cut(lines.join('\n'), TRANSCRIPT_MAX);
}

async function applyTranscription(ctx: OperationContext, data: unknown) {
  const call = parse(Transcription, data, 'data');
  const phone = call.metadata?.phone_call;
  const direction = phone?.direction ?? 'inbound';
  const [outside, ours] = [phoneOrNull(phone?.external_number), phoneOrNull(phone?.agent_number)];
  const parties: CallParties =
    direction === 'inbound' ? { direction, from: outside, to: ours } : { direction, from: ours, to: outside };
  const changes: Row = { status: call.status === 'failed' ? 'failed' : 'completed' };
  const start = call.metadata?.start_time_unix_secs;
  const duration = call.metadata?.call_duration_secs;
  if (start != null) changes.started_at = isoOf(start);
  if (duration != null) changes.duration_seconds = Math.round(duration);
  if (start != null && duration != null) changes.ended_at = isoOf(start + duration);
  const transcript = readableTranscript(call.transcript);
  if (transcript !== undefined) changes.transcript = transcript;
  const summary = call.analysis?.transcript_summary?.trim();
  if (summary) changes.summary = cut(summary, SUMMARY_MAX);
  return upsertCallLog(ctx, call.conversation_id, parties, () => changes);
}

/** ElevenLabs could not place an outbound call: a failed call log, with the reason as its summary. */
async function applyInitiationFailure(ctx: OperationContext, data: unknown, at: number | null | undefined) {
  const failure = parse(InitiationFailure, data, 'data');
  const body = failure.metadata?.body ?? {};
  const parties: CallParties = { direction: 'outbound', from: phoneOrNull(body.From), to: phoneOrNull(body.To) };
  const changes: Row = {
    status: 'failed',
    summary: cut(`The call could not be placed: ${failure.failure_reason || 'unknown reason'}.`, SUMMARY_MAX),
  };
  if (at != null) changes.started_at = isoOf(at);
  return upsertCallLog(ctx, failure.conversation_id, parties, (current) =>
    // A conversation that did take place keeps what it said; only the attempt's failure is new.
    current && current.status !== 'failed' ? {} : changes,
  );
}

/** The event's id, for the framework's once-only receipts: the same conversation's event is one event. */
function eventId(rawBody: string, payload: unknown): string {
  const { type, data } = (payload ?? {}) as { type?: unknown; data?: { conversation_id?: unknown } };
  const conversation = data?.conversation_id;
  if (typeof type === 'string' && type.length <= 50 && typeof conversation === 'string' && conversation.length <= 200)
    return `${type}:${conversation}`;
  return `body:${createHash('sha256').update(rawBody).digest('hex')}`;
}

/** Throws unless one of the header's v0 signatures is ours for this body and its timestamp is recent. */
function verifySignature(rawBody: string, header: string | null, secret: string): void {
  if (!header) throw new InboundVerificationError('no ElevenLabs-Signature header');
  const parts = header.split(',').map((part) => part.trim());
  const timestamp = parts.find((part) => part.startsWith('t='))?.slice(2) ?? '';
  // More than one v0 may come while a secret is being rolled over: any may match.
  const signatures = parts.filter((part) => part.startsWith('v0=')).map((part) => Buffer.from(part.slice(3)));
  if (!/^\d{1,12}$/.test(timestamp) || !signatures.length)
    throw new InboundVerificationError('the ElevenLabs-Signature header is not t=<unix seconds>,v0=<hex>');
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > ELEVENLABS_TOLERANCE_SECONDS)
    throw new InboundVerificationError('the signature timestamp is more than 30 minutes from now');
  const expected = Buffer.from(createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex'));
  if (!signatures.some((given) => given.length === expected.length && timingSafeEqual(given, expected)))
    throw new InboundVerificationError('no v0 signature matches the body');
}

export const elevenLabsProvider: InboundProvider = {
  name: 'elevenlabs',
  description:
    "ElevenLabs Agents' post-call webhooks, signed with the `ElevenLabs-Signature` header " +
    '(`t=<unix seconds>,v0=<hex HMAC-SHA256 of "<t>.<body>">`, 30 minute tolerance). ' +
    '`post_call_transcription` creates or completes the call log of `data.conversation_id`: the transcript as ' +
    '"Agent: ..." and "Caller: ..." lines, `analysis.transcript_summary` as its summary, start, end and duration ' +
    "from `metadata`, direction and numbers from `metadata.phone_call`, and the customer with the caller's " +
    'phone number. `call_initiation_failure` records a failed outbound call with the reason. ' +
    '`post_call_audio` is acknowledged and not stored: call logs keep no audio (turn off "Send audio data"; ' +
    'bodies over the server limit are refused with 413). Other types are acknowledged and ignored. ' +
    'Each conversation is one call log, and each event applies once.',
  secretDescription:
    'The webhook secret ElevenLabs shows once when the webhook is created (Settings > Webhooks), exactly as shown.',
  secretProblem: (secret) =>
    /^[\x21-\x7e]{16,500}$/.test(secret)
      ? null
      : 'expected the webhook secret ElevenLabs showed: 16 or more printable characters without spaces',
  verify(rawBody, headers, secret): VerifiedInbound {
    verifySignature(rawBody, headers.get('elevenlabs-signature'), secret);
    let payload: unknown;
    try {
      payload = JSON.parse(rawBody);
    } catch {
      // Authentic but unusable: apply answers 422, so it is logged as ElevenLabs' mistake, not a forgery.
      return { id: eventId(rawBody, undefined), type: '', payload: NOT_JSON };
    }
    const type = (payload as { type?: unknown } | null)?.type;
    return { id: eventId(rawBody, payload), type: typeof type === 'string' ? type : '', payload };
  },
  async apply(ctx, event) {
    if (event.payload === NOT_JSON) throw validationFailed([{ path: '', message: 'the body is not JSON' }]);
    const { type, event_timestamp } = parse(Envelope, event.payload, '');
    const data = (event.payload as { data?: unknown }).data;
    let result: { id: string; created: boolean };
    if (type === 'post_call_transcription') result = await applyTranscription(ctx, data);
    else if (type === 'call_initiation_failure') result = await applyInitiationFailure(ctx, data, event_timestamp);
    else if (type === 'post_call_audio')
      return ignored('post_call_audio: call logs keep no audio, so the recording was not stored');
    else return ignored(`${type}: not a call event Fieldline records`);
    return {
      outcome: 'applied',
      detail: `${type}: ${result.created ? 'created' : 'updated'} ${result.id}`,
      objects: [result.id],
    };
  },
};
