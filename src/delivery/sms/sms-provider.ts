// The SMS provider: Twilio's Messages REST API (form-encoded POST to
// /2010-04-01/Accounts/{AccountSid}/Messages.json, HTTP basic auth with the account SID and auth
// token), at a configurable base URL so that any provider speaking that API works, and tests
// point it at a local one. The provider's status callbacks come back to sms-status-operation.ts.

export interface SmsSettings {
  /** The API's base URL: `https://api.twilio.com` (FIELDLINE_SMS_URL). */
  url: string;
  accountSid: string;
  authToken: string;
  /** The sender: an E.164 number or a messaging service SID (`MG...`). */
  from: string;
  /** How long a send may take before its outcome is in doubt; default 10 s. */
  timeoutMs?: number;
}

export interface OutgoingSms {
  to: string;
  body: string;
  /** Where the provider posts this message's status changes. */
  statusCallback: string;
}

/** The provider refused the message for good (a 4xx other than 429): retrying cannot help. */
export class SmsRefused extends Error {
  constructor(
    message: string,
    readonly code: string | null,
  ) {
    super(message);
  }
}

export interface SmsProvider {
  /** Hands the message over; answers the provider's message id. Throws SmsRefused, or any error to retry. */
  send(sms: OutgoingSms): Promise<{ providerId: string }>;
}

const TIMEOUT_MS = 10_000;

export function twilioProvider(settings: SmsSettings): SmsProvider {
  const base = settings.url.replace(/\/+$/, '');
  const endpoint = `${base}/2010-04-01/Accounts/${encodeURIComponent(settings.accountSid)}/Messages.json`;
  const authorization = `Basic ${Buffer.from(`${settings.accountSid}:${settings.authToken}`).toString('base64')}`;
  const sender = settings.from.startsWith('MG') ? 'MessagingServiceSid' : 'From';
  return {
    async send(sms) {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({
          To: sms.to,
          [sender]: settings.from,
          Body: sms.body,
          StatusCallback: sms.statusCallback,
        }),
        signal: AbortSignal.timeout(settings.timeoutMs ?? TIMEOUT_MS),
        redirect: 'error',
      });
      const answer = (await response.json().catch(() => ({}))) as { sid?: string; code?: number; message?: string };
      if (response.ok && answer.sid) return { providerId: answer.sid };
      const code = answer.code ? ` (${answer.code})` : '';
      const reason = `${response.status}${code}: ${answer.message ?? response.statusText}`;
      if (response.status >= 400 && response.status < 500 && response.status !== 429)
        throw new SmsRefused(
          `The SMS provider refused the message: ${reason}`,
          answer.code ? String(answer.code) : null,
        );
      throw new Error(`The SMS provider failed: ${reason}`);
    },
  };
}
