// A voice-agent provider's call events, signed the Standard Webhooks way (HMAC-SHA256 over
// id, timestamp and body; 5 minute tolerance), which is what such providers (and our own
// outbound webhooks) use. Each call becomes one call log, keyed by the provider's call id,
// whatever order its events arrive in.
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { z } from 'zod';
import { validationFailed } from '../platform/errors.ts';
import { zodIssuesToFieldErrors } from '../platform/operations/write-input.ts';
import { timestampSchema } from '../platform/resource/fields.ts';
import type { Row } from '../db/database.ts';
import { InboundVerificationError, type InboundProvider } from './inbound-provider.ts';
import { upsertCallLog, type CurrentCall } from './call-log-upsert.ts';

const CallData = z.object({
  call_id: z.string().min(1).max(200),
  direction: z.enum(['inbound', 'outbound']).default('inbound'),
  from: z.string().max(32).optional(),
  to: z.string().max(32).optional(),
  customer_id: z.string().max(64).optional(),
  started_at: timestampSchema().optional(),
  ended_at: timestampSchema().optional(),
  duration_seconds: z.int().min(0).optional(),
  status: z.enum(['completed', 'missed', 'failed']).optional().describe('How the call ended (call.ended).'),
  transcript: z.string().max(200_000).optional(),
  summary: z.string().max(5000).optional(),
});

const VoiceEvent = z.object({
  type: z.enum(['call.started', 'call.ended', 'call.transcript']),
  data: CallData,
});

type CallData = z.infer<typeof CallData>;

function changesFor(type: z.infer<typeof VoiceEvent>['type'], call: CallData, current: CurrentCall): Row {
  const changes: Row = {};
  if (call.started_at) changes.started_at = call.started_at;
  if (call.transcript !== undefined) changes.transcript = call.transcript;
  if (call.summary !== undefined) changes.summary = call.summary;
  if (type === 'call.started' && (!current || current.status === 'ringing')) changes.status = 'in_progress';
  if (type === 'call.ended') {
    changes.status = call.status ?? 'completed';
    if (call.ended_at) changes.ended_at = call.ended_at;
    const started = call.started_at ?? current?.started_at;
    const duration =
      call.duration_seconds ??
      (started && call.ended_at
        ? Math.max(0, Math.round((Date.parse(call.ended_at) - Date.parse(started)) / 1000))
        : undefined);
    if (duration !== undefined) changes.duration_seconds = duration;
  }
  return changes;
}

const SECRET_SHAPE = /^whsec_[A-Za-z0-9+/]+={0,2}$/;

export const voiceProvider: InboundProvider = {
  name: 'voice',
  description:
    "A voice-agent provider's call events, signed with Standard Webhooks headers " +
    '(`webhook-id`, `webhook-timestamp`, `webhook-signature`). ' +
    'The body is ' +
    '`{ "type": "call.started" | "call.ended" | "call.transcript", "data": { "call_id", "direction", "from", ' +
    '"to", "started_at", "ended_at", "duration_seconds", "status", "transcript", "summary", "customer_id" } }`; ' +
    'each call is one call log keyed by `call_id`, ' +
    "linked to the customer named or to the customer with the caller's phone number.",
  secretDescription:
    'The Standard Webhooks secret shared with the provider (`whsec_` + base64 of 24 to 64 random bytes).',
  secretProblem: (secret) => {
    const bytes = SECRET_SHAPE.test(secret) ? Buffer.from(secret.slice(6), 'base64').length : 0;
    return bytes >= 24 && bytes <= 64 ? null : 'expected whsec_ followed by base64 of 24 to 64 bytes';
  },
  verify(rawBody, headers, secret) {
    const signed = {
      'webhook-id': headers.get('webhook-id') ?? '',
      'webhook-timestamp': headers.get('webhook-timestamp') ?? '',
      'webhook-signature': headers.get('webhook-signature') ?? '',
    };
    let payload: unknown;
    try {
      payload = new Webhook(secret).verify(rawBody, signed);
    } catch (error) {
      if (error instanceof WebhookVerificationError) throw new InboundVerificationError(error.message);
      if (error instanceof SyntaxError) throw new InboundVerificationError('the body is not JSON');
      throw error;
    }
    return { id: signed['webhook-id'], type: ((payload as { type?: unknown })?.type as string) ?? 'unknown', payload };
  },
  async apply(ctx, event) {
    const parsed = VoiceEvent.safeParse(event.payload);
    if (!parsed.success) throw validationFailed(zodIssuesToFieldErrors(parsed.error.issues));
    const { type, data: call } = parsed.data;
    const { id, created } = await upsertCallLog(ctx, call.call_id, call, (current) => changesFor(type, call, current));
    return { outcome: 'applied', detail: `${type}: ${created ? 'created' : 'updated'} ${id}`, objects: [id] };
  },
};
