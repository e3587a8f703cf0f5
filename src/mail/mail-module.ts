// Outgoing mail: an outbox table that any transaction queues into, and a relay that hands
// committed mail to SMTP (FIELDLINE_SMTP_URL) or, without one, to the log.
import { defineModule, provide } from '../platform/api/module.ts';
import { MAIL_MIGRATIONS } from './mail-migrations.ts';
import { MailRelay, type MailOutcomeLog } from './mail-outbox.ts';
import { logTransport, smtpTransport } from './mail-transport.ts';
import { serviceKey } from '../platform/api/service-key.ts';

declare module '../platform/contract.ts' {
  interface RuntimeOptions {
    /** Mail goes to this SMTP server; absent: to the log. */
    smtp?: { url: string; from: string };
  }
}

/** Sends what the outbox holds, retried with backoff. */
export const mailRelay = serviceKey<MailRelay>('the mail relay');

/** Where the relay records what became of an account's mail (the delivery log provides it, when composed). */
export const mailOutcomeLog = serviceKey<MailOutcomeLog>('the log of mail outcomes');

export const mailModule = defineModule({
  name: 'mail',
  migrations: MAIL_MIGRATIONS,
  provides: [
    provide(mailRelay, ({ db, logger, options, find }) => {
      const transport = options.smtp ? smtpTransport(options.smtp.url, options.smtp.from) : logTransport(logger);
      return new MailRelay(db, transport, logger, { outcomes: find(mailOutcomeLog) });
    }),
  ],
});
