// POST /v1/sms/status/{id}: the SMS provider's status callback for one outbox row (the relay
// gives each message its own URL). Signed as Twilio signs (X-Twilio-Signature, keyed by the
// auth token); it moves the message's delivery on (sent, delivered, failed, undelivered: each
// an event) and settles a row a crashed relay left in doubt.
import { z } from 'zod';
import { systemQuery } from '../../db/system-query.ts';
import { systemTransaction } from '../../db/system-query.ts';
import { defineOperation } from '../../platform/api/define-operation.ts';
import { ApiError } from '../../platform/errors.ts';
import { accountPrincipal } from '../../platform/operations/principal.ts';
import type { RuntimeOptions } from '../../platform/contract.ts';
import type { DeliveryState } from '../deliveries.ts';
import { deliveryUpdateStatements } from '../delivery-log.ts';
import { isTwilioSignature } from './twilio-signature.ts';

export const SMS_STATUS_PATH = '/v1/sms/status/{id}';
export const smsStatusUrl = (options: RuntimeOptions, outboxId: string) =>
  `${options.publicUrl}${SMS_STATUS_PATH.replace('{id}', outboxId)}`;

/** The provider's message states, as the delivery log names them. */
const STATES: Record<string, DeliveryState> = {
  accepted: 'sent',
  scheduled: 'sent',
  queued: 'sent',
  sending: 'sent',
  sent: 'sent',
  delivered: 'delivered',
  read: 'delivered',
  failed: 'failed',
  canceled: 'failed',
  undelivered: 'undelivered',
};

const StatusCallback = z
  .object({
    MessageSid: z.string().min(1).max(64),
    MessageStatus: z.string().min(1).max(32),
    ErrorCode: z.string().max(16).optional(),
  })
  .catchall(z.string())
  .describe("The provider's form: every parameter it sends is covered by its signature.");

export const smsStatusOperation = defineOperation({
  method: 'post',
  path: SMS_STATUS_PATH,
  operationId: 'receiveSmsStatus',
  tag: 'Inbound',
  summary: "Receive an SMS provider's delivery status",
  description:
    'For the SMS provider, not API clients: the status callback URL each outgoing text names. Authenticated by ' +
    '`X-Twilio-Signature` (HMAC-SHA1 of this URL and the sorted form parameters, keyed by the auth token).',
  scope: null,
  authentication: 'signature',
  bucket: 'write',
  params: { id: { pattern: '^sms_' } },
  form: StatusCallback,
  response: z.object({ status: z.string() }),
  sdk: { excluded: 'called by the SMS provider' },
  async handle(call) {
    const { runtime, params, body, headers } = call;
    const settings = runtime.options.sms;
    const url = smsStatusUrl(runtime.options, params.id);
    if (!settings || !isTwilioSignature(settings.authToken, url, body, headers.get('x-twilio-signature'))) {
      await call.refuseCredential();
      throw new ApiError('invalid_signature', 'The X-Twilio-Signature header does not sign this request');
    }
    const [row] = await systemQuery(runtime.db, {
      sql: 'SELECT id, account_id, delivery_id, attempts FROM sms_outbox WHERE id = $1',
      parameters: [params.id],
    });
    if (!row) throw new ApiError('not_found', `No such text message: '${params.id}'`);
    call.attribute(accountPrincipal(row.account_id));
    const state = STATES[body.MessageStatus.toLowerCase()];
    if (!state) return { status: 200, body: { data: { status: 'ignored' } } };
    const at = new Date().toISOString();
    const error =
      state === 'failed' || state === 'undelivered'
        ? `The provider reports ${body.MessageStatus}${body.ErrorCode ? ` (error ${body.ErrorCode})` : ''}`
        : null;
    await systemTransaction(runtime.db, [
      // The provider has it: a row in doubt is settled, and never sent again.
      {
        sql: `UPDATE sms_outbox SET sent_at = coalesce(sent_at, $2), provider_id = coalesce(provider_id, $3),
                     sending_at = coalesce(sending_at, $2)
               WHERE id = $1`,
        parameters: [row.id, at, body.MessageSid],
      },
      ...(row.delivery_id
        ? await deliveryUpdateStatements(runtime.db, row.account_id, row.delivery_id, {
            status: state,
            providerId: body.MessageSid,
            error,
            at,
          })
        : []),
    ]);
    return { status: 200, body: { data: { status: state } } };
  },
});
