// POST /v1/inbound/{provider}/{token}: where providers post their events. No API key: the
// URL names the source, the provider's signature authenticates. Every request that reaches a
// source is logged in the account's inbound log; each provider event applies once (receipts),
// in the same transaction as its log entry and the changes it makes.
import { z } from 'zod';
import type { Database, Row } from '../db/database.ts';
import { systemQuery } from '../db/system-query.ts';
import { withTenantTransaction } from '../db/tenant-transaction.ts';
import { ApiError, validationFailed } from '../platform/errors.ts';
import { toApiError } from '../platform/database-errors.ts';
import { newId } from '../platform/ids.ts';
import { insertRow } from '../platform/operations/row-statements.ts';
import { createOperationContext } from '../platform/operations/operation-context.ts';
import { openWriteOnlyField } from '../platform/operations/write-only-fields.ts';
import { accountPrincipal } from '../platform/operations/principal.ts';
import { defineOperation } from '../platform/api/define-operation.ts';
import type { ApiResult, OperationCall } from '../platform/api/operation.ts';
import { unstorableStrings } from '../http/json-body.ts';
import { redactBody, redactHeaders } from '../analytics/redact.ts';
import { UNSTORABLE_TEXT } from '../platform/storable-text.ts';
import { INBOUND_PROVIDERS, INBOUND_PROVIDER_NAMES } from './inbound-providers.ts';
import { InboundVerificationError, type InboundProvider, type VerifiedInbound } from './inbound-provider.ts';
import { inboundRequests } from './inbound-requests-resource.ts';
import { INBOUND_PATH } from './inbound-sources-resource.ts';

const STORED_BODY_BYTES = 64 * 1024;
/** Unauthenticated bodies (failed verification) keep less: anyone who learns a URL can send them. */
const REJECTED_BODY_BYTES = 4 * 1024;
const MAX_EXTERNAL_ID_LENGTH = 255;
const EVERY_UNSTORABLE_CHARACTER = new RegExp(UNSTORABLE_TEXT.source, 'gu');

interface Source {
  id: string;
  account_id: string;
  provider: string;
  signing_secret: string;
}

/**
 * The body as stored in the log: JSON with secret-looking members redacted,
 * cut at `limit` bytes, NUL (which PostgreSQL cannot store) escaped.
 */
function storedBody(raw: string, limit: number): { body: string; body_truncated: boolean } {
  let text = raw;
  try {
    text = JSON.stringify(redactBody(JSON.parse(raw)));
  } catch {
    /* not JSON: kept as sent */
  }
  text = text.replace(EVERY_UNSTORABLE_CHARACTER, '\uFFFD');
  const truncated = Buffer.byteLength(text) > limit;
  return {
    body: truncated
      ? Buffer.from(text)
          .subarray(0, limit)
          .toString('utf8')
          .replace(/\uFFFD$/, '')
      : text,
    body_truncated: truncated,
  };
}

const providers = Object.values(INBOUND_PROVIDERS)
  .map((p) => `- \`${p.name}\`: ${p.description}`)
  .join('\n');

export const inboundOperation = defineOperation({
  method: 'post',
  path: INBOUND_PATH,
  operationId: 'receiveInboundEvent',
  tag: 'Inbound',
  scope: null,
  authentication: 'signature',
  bucket: 'write',
  summary: "Receive a provider's signed event",
  description:
    'For providers, not API clients: create an inbound source and give the provider its `url_path`. ' +
    "No API key; the provider's signature " +
    "(checked with the source's `signing_secret`, within the provider's timestamp tolerance) authenticates. " +
    'Each provider event id applies once; repeats answer `duplicate`. ' +
    `An authentic event that cannot be applied answers 422 so the provider retries. ` +
    `Every request is logged under the source's \`/requests\`.\n\n${providers}`,
  params: { provider: { enum: INBOUND_PROVIDER_NAMES } },
  text: {
    schema: z.object({}).describe("The provider's event, exactly as signed."),
    mediaType: 'application/json',
  },
  response: z.object({
    id: z.string(),
    object: z.literal('inbound_request'),
    outcome: z.enum(['applied', 'ignored', 'duplicate']),
    detail: z.string(),
  }),
  sdk: { excluded: 'for providers, not API clients: it is their request' },
  extensions: { 'x-fieldline-receiver': true },
  async handle(call) {
    const provider = Object.hasOwn(INBOUND_PROVIDERS, call.params.provider)
      ? INBOUND_PROVIDERS[call.params.provider]
      : undefined;
    const source = provider ? await findSource(call.runtime.db, call.path) : undefined;
    if (!provider || !source) {
      await call.refuseCredential();
      throw new ApiError('not_found', 'No enabled inbound source has this URL');
    }
    call.attribute(accountPrincipal(source.account_id)); // so the request log has it too
    return receive(call, provider, source, String(call.body));
  },
});

async function findSource(db: Database, urlPath: string): Promise<Source | undefined> {
  const [row] = await systemQuery<Source>(db, {
    sql:
      'SELECT id, account_id, provider, signing_secret FROM inbound_sources ' +
      "WHERE url_path = $1 AND status = 'enabled' AND deleted_at IS NULL",
    parameters: [urlPath],
  });
  return row;
}

async function receive(
  call: OperationCall<undefined, unknown>,
  provider: InboundProvider,
  source: Source,
  raw: string,
): Promise<ApiResult> {
  const { requestId, runtime } = call;
  const entry = (fields: Row, status: number): Row => {
    const now = new Date().toISOString();
    return {
      id: newId(inboundRequests.idPrefix),
      source_id: source.id,
      provider: provider.name,
      external_id: null,
      event_type: null,
      objects: [],
      headers: redactHeaders(call.headers),
      ...storedBody(raw, fields.verified ? STORED_BODY_BYTES : REJECTED_BODY_BYTES),
      http_status: status,
      created_at: now,
      updated_at: now,
      ...fields,
    };
  };
  const log = (row: Row) => systemQuery(runtime.db, insertRow(inboundRequests, source.account_id, row));

  let secret: string;
  try {
    secret = openWriteOnlyField(source.signing_secret, runtime.secrets)!;
  } catch {
    // Our fault, not the provider's: a server key that changed without its secrets.
    await log(
      entry(
        {
          verified: false,
          outcome: 'failed',
          detail: "the signing secret cannot be decrypted with this server's FIELDLINE_SECRET_KEY",
        },
        503,
      ),
    );
    throw new ApiError(
      'service_unavailable',
      'This inbound source cannot verify requests right now; its owner has been told in the inbound log',
    );
  }
  let event: VerifiedInbound;
  try {
    event = provider.verify(raw, call.headers, secret);
  } catch (error) {
    if (!(error instanceof InboundVerificationError)) throw error;
    // Throttled first: past the limit, nothing more is written to the account's log.
    await call.refuseCredential();
    await log(entry({ verified: false, outcome: 'rejected', detail: error.message }, 400));
    throw new ApiError('invalid_signature', `The request's signature did not verify: ${error.message}`);
  }
  const verified = {
    verified: true,
    external_id: String(event.id ?? '').slice(0, MAX_EXTERNAL_ID_LENGTH),
    event_type: String(event.type ?? '').slice(0, 200),
  };
  // Authentic but unusable as sent: the provider must fix it, so it is a 422 it will see.
  const unusable =
    !event.id || String(event.id).length > MAX_EXTERNAL_ID_LENGTH
      ? [{ path: 'id', message: `the event id must be 1 to ${MAX_EXTERNAL_ID_LENGTH} characters` }]
      : unstorableStrings(event.payload);
  if (unusable.length) {
    await log(
      entry({ ...verified, outcome: 'failed', detail: unusable.map((e) => `${e.path}: ${e.message}`).join('; ') }, 422),
    );
    throw validationFailed(unusable);
  }

  try {
    const row = await withTenantTransaction(runtime.db, source.account_id, async (tx) => {
      const [receipt] = await tx.query({
        sql: `INSERT INTO inbound_receipts (source_id, external_id, account_id, request_id, created_at)
              VALUES ($1, $2, $3, $4, now())
              ON CONFLICT (source_id, external_id) DO NOTHING RETURNING request_id`,
        parameters: [source.id, event.id, source.account_id, requestId],
      });
      let row: Row;
      if (!receipt) {
        const [first] = await tx.query({
          sql: 'SELECT request_id FROM inbound_receipts WHERE source_id = $1 AND external_id = $2',
          parameters: [source.id, event.id],
        });
        row = entry(
          { ...verified, outcome: 'duplicate', detail: `already received (request ${first?.request_id})` },
          200,
        );
      } else {
        const ctx = createOperationContext(tx, accountPrincipal(source.account_id), runtime, requestId);
        const result = await provider.apply(ctx, event);
        row = entry({ ...verified, ...result }, 200);
      }
      tx.defer(insertRow(inboundRequests, source.account_id, row));
      return row;
    });
    return {
      status: 200,
      body: { data: { id: row.id, object: 'inbound_request', outcome: row.outcome, detail: row.detail } },
    };
  } catch (error) {
    // Rolled back: nothing applied, no receipt, so the provider's retry can still apply it.
    const apiError = error instanceof ApiError ? error : toApiError(error);
    const status = apiError && apiError.status < 500 ? 422 : 500;
    await log(
      entry(
        { ...verified, outcome: 'failed', detail: apiError && status === 422 ? apiError.detail : 'internal error' },
        status,
      ),
    ).catch(() => undefined);
    if (status === 500) throw error;
    throw new ApiError('validation_failed', `The event could not be applied: ${apiError!.detail}`, {
      errors: apiError!.extra.errors ?? [],
    });
  }
}
