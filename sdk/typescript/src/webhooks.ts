// Verifying webhook deliveries per Standard Webhooks: the signature is HMAC-SHA256 over
// `${webhook-id}.${webhook-timestamp}.${payload}` keyed with the base64 secret after `whsec_`;
// `webhook-signature` holds one or more `v1,<base64>` (several during a secret rotation).
// WebCrypto's verify compares in constant time.

export class WebhookVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}

export interface VerifyOptions {
  /** How far the timestamp may be from now, either way. Default 300 s. */
  toleranceSeconds?: number;
  /** Now, in ms (for tests). */
  now?: number;
}

/** A webhook event as Fieldline sends it. */
export interface WebhookEvent {
  id: string;
  object: 'event';
  type: string;
  created_at: string;
  data: { object: Record<string, unknown>; previous_attributes?: Record<string, unknown> };
  [member: string]: unknown;
}

type HeaderBag = Headers | Record<string, string | string[] | undefined>;

function header(headers: HeaderBag, name: string): string | null {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name);
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value.join(' ') : (value ?? null);
  }
  return null;
}

function base64ToBytes(text: string): Uint8Array<ArrayBuffer> | null {
  try {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  } catch {
    return null;
  }
}

/**
 * Checks a delivery's signature and timestamp and returns the parsed event.
 * @param payload the raw request body, exactly as received (not re-serialized JSON)
 * @param headers the request headers (a Headers or a plain object, as Node's `req.headers`)
 * @param secret the endpoint's signing secret, `whsec_...`
 * @throws WebhookVerificationError when the delivery is not authentic or too old
 * @example
 * const event = await Fieldline.webhooks.verify(rawBody, request.headers, process.env.FIELDLINE_WEBHOOK_SECRET!);
 */
export async function verify(
  payload: string | Uint8Array,
  headers: HeaderBag,
  secret: string,
  options: VerifyOptions = {},
): Promise<WebhookEvent> {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures)
    throw new WebhookVerificationError('Missing webhook-id, webhook-timestamp or webhook-signature header');
  if (!/^\d+$/.test(timestamp)) throw new WebhookVerificationError('Invalid webhook-timestamp');
  const tolerance = options.toleranceSeconds ?? 300;
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  if (Math.abs(now - Number(timestamp)) > tolerance)
    throw new WebhookVerificationError('The webhook-timestamp is too far from now (a replay?)');

  const keyBytes = base64ToBytes(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret);
  if (!keyBytes || keyBytes.length === 0)
    throw new WebhookVerificationError('The secret is not a whsec_ base64 secret');
  const key = await crypto.subtle.importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
  const body = typeof payload === 'string' ? payload : new TextDecoder().decode(payload);
  const signed = new TextEncoder().encode(`${id}.${timestamp}.${body}`);

  for (const candidate of signatures.split(' ')) {
    const [version, encoded] = candidate.split(',', 2);
    if (version !== 'v1' || !encoded) continue;
    const signature = base64ToBytes(encoded);
    if (signature && (await crypto.subtle.verify('HMAC', key, signature, signed))) {
      try {
        return JSON.parse(body) as WebhookEvent;
      } catch {
        throw new WebhookVerificationError('The payload is not JSON');
      }
    }
  }
  throw new WebhookVerificationError('No matching signature');
}

export const webhooks = { verify };
