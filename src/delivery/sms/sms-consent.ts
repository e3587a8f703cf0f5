// What the SMS relay tells the module that keeps texting consent (messaging) when the provider
// says a recipient has unsubscribed with it (Twilio's error 21610, a STOP the provider saw
// first): the number is opted out here too, so nothing more is queued for it.
import { serviceKey } from '../../platform/api/service-key.ts';

/** The provider's code for "the recipient replied STOP to this sender". */
export const UNSUBSCRIBED_RECIPIENT_CODE = '21610';

export interface SmsConsent {
  /** Opts the number out for the account's contacts (each change a `contact.updated`). */
  recipientUnsubscribed(accountId: string, number: string): Promise<void>;
}

export const smsConsent = serviceKey<SmsConsent>('texting consent');
