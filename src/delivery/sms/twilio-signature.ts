// Twilio's request signature (X-Twilio-Signature), as documented: base64 of HMAC-SHA1, keyed by
// the account's auth token, over the full URL the provider called followed by every POST
// parameter's name and value, sorted by name. Any provider speaking Twilio's API signs this way.
import { createHmac, timingSafeEqual } from 'node:crypto';

export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((text, name) => text + name + params[name], url);
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/** Whether `signature` is the provider's for this request; compared in constant time. */
export function isTwilioSignature(
  authToken: string,
  url: string,
  params: Record<string, string>,
  signature: string | null,
): boolean {
  if (!signature) return false;
  const expected = Buffer.from(twilioSignature(authToken, url, params));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
