// Gmail: a Google mailbox connected with Google OAuth 2.0. Its `mail` sync brings inbound mail into
// email conversations (gmail-sync.ts); email conversations send through it (messages.send, in the
// conversation's Gmail thread) while it is connected.
import { defineConnector } from '../connector.ts';
import { GmailSent, gmailProfile, gmailUrl } from './gmail-api.ts';
import { rawMessage } from './gmail-message.ts';
import { gmailMailSync } from './gmail-sync.ts';
import { googleApiUrl, googleOAuth, revokeGoogleToken } from './google-oauth.ts';

/** Read mail (sync) and send as the mailbox; nothing broader. */
export const GMAIL_SCOPES = [
  'https://www.googleapis.com/auth/gmail.readonly',
  'https://www.googleapis.com/auth/gmail.send',
  'openid',
  'email',
] as const;

export const gmailConnector = defineConnector({
  provider: 'gmail',
  title: 'Gmail',
  description: 'A Google mailbox: inbound mail into email conversations, replies sent from the mailbox.',
  oauth: googleOAuth(GMAIL_SCOPES),
  async identity(api, settings) {
    const profile = await gmailProfile(api, googleApiUrl(settings));
    return { identity: profile.emailAddress };
  },
  revoke: (token, client) => revokeGoogleToken(token, client),
  syncs: { mail: gmailMailSync },
  async sendMail(api, message, settings) {
    const raw = Buffer.from(rawMessage(message), 'utf8').toString('base64url');
    const sent = await api.json(gmailUrl(googleApiUrl(settings), 'messages/send'), GmailSent, {
      json: { raw, ...(message.threadId ? { threadId: message.threadId } : {}) },
    });
    return { externalId: sent.id, threadId: sent.threadId };
  },
});
