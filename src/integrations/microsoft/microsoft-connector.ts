// Microsoft 365: an Outlook mailbox connected with the Microsoft identity platform (OAuth 2.0
// authorization code with PKCE, v2.0 endpoints of the configured tenant). Its `mail` sync brings
// the inbox into email conversations (microsoft-mail-sync.ts); email conversations send through
// it while it is connected: a reply in the conversation Graph keeps, or a new message. Its
// `calendar` sync keeps the connected member's jobs and busy times (microsoft-calendar-sync.ts).
// Microsoft has no token revocation endpoint: disconnecting forgets the tokens. (Graph's
// revokeSignInSessions would sign the person out of every app and device, which is not what
// disconnecting Fieldline asks for.)
import { defineConnector, type MailboxMessage } from '../connector.ts';
import type { IntegrationSettings } from '../integration-settings.ts';
import type { ProviderApi } from '../provider-api.ts';
import { graphClient } from './graph-client.ts';
import { microsoftCalendarSync } from './microsoft-calendar-sync.ts';
import { microsoftMailSync, MICROSOFT_PROVIDER } from './microsoft-mail-sync.ts';
import { graphBase, microsoftOAuthClient, MICROSOFT_SCOPES } from './microsoft-settings.ts';

/** The mailbox message this one answers: the one named by In-Reply-To, else the conversation's latest. */
async function messageRepliedTo(graph: ReturnType<typeof graphClient>, message: MailboxMessage) {
  const byHeader = message.inReplyTo ? await graph.messageIdOf(message.inReplyTo) : null;
  if (byHeader) return byHeader;
  return message.threadId ? graph.latestInConversation(message.threadId) : null;
}

export const microsoftConnector = defineConnector({
  provider: MICROSOFT_PROVIDER,
  title: 'Microsoft 365',
  description:
    'An Outlook (Microsoft 365) mailbox: inbound mail into email conversations, replies sent from the mailbox; ' +
    "the connected member's booked jobs in their Outlook calendar, its busy times as their schedule blocks.",
  oauth: {
    client: microsoftOAuthClient,
    scopes: MICROSOFT_SCOPES,
    pkce: true,
    // Let the person choose the account (a work and a personal one are common side by side).
    authorizeParams: { response_mode: 'query', prompt: 'select_account' },
  },
  async identity(api: ProviderApi, settings: IntegrationSettings) {
    const me = await graphClient(api, graphBase(settings)).me();
    return { identity: me.mail || me.userPrincipalName, externalAccountId: me.id };
  },
  syncs: { mail: microsoftMailSync, calendar: microsoftCalendarSync },
  async sendMail(api, message, settings) {
    const graph = graphClient(api, graphBase(settings));
    const mail = { to: message.to, subject: message.subject, text: message.text };
    const repliedTo = await messageRepliedTo(graph, message);
    const sent = repliedTo ? await graph.sendReply(repliedTo, mail) : await graph.sendNew(mail);
    return { externalId: sent.id, threadId: sent.conversationId };
  },
});
