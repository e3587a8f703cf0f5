// Where mail finally goes: an SMTP server (FIELDLINE_SMTP_URL, through nodemailer) or, in
// development, the log. Either way the mail_outbox row records what was sent and when.
import { lazyRequire } from '../platform/lazy-require.ts';
import type { Logger } from 'pino';

const nodemailer = lazyRequire<typeof import('nodemailer')>('nodemailer');

export interface OutgoingMail {
  to: readonly string[];
  cc?: readonly string[];
  subject: string;
  text: string;
  /** An HTML alternative to the text. */
  html?: string | null;
  /** The mail's outbox row, once queued: becomes its Message-ID. */
  outboxId?: string;
  attachments?: readonly MailAttachment[];
  /** Header fields besides the ones the transport writes (`List-Unsubscribe`). */
  headers?: Readonly<Record<string, string>>;
}

/** A file carried by a mail (a document's PDF). */
export interface MailAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

/** What the transport learnt from sending: the provider's id of the message. */
export interface SentMail {
  providerId: string | null;
}

export interface MailTransport {
  readonly name: 'smtp' | 'log';
  send(mail: OutgoingMail): Promise<SentMail>;
}

export function smtpTransport(url: string, from: string): MailTransport {
  const transporter = nodemailer().createTransport(url);
  const domain = /@([^>\s]+)>?$/.exec(from)?.[1] ?? 'fieldline.invalid';
  return {
    name: 'smtp',
    async send(mail) {
      const info = await transporter.sendMail({
        from,
        to: [...mail.to],
        cc: mail.cc?.length ? [...mail.cc] : undefined,
        subject: mail.subject,
        text: mail.text,
        html: mail.html ?? undefined,
        messageId: mail.outboxId ? `<${mail.outboxId}@${domain}>` : undefined,
        headers: mail.headers ? { ...mail.headers } : undefined,
        attachments: mail.attachments?.map(({ filename, contentType, content }) => ({
          filename,
          contentType,
          content,
        })),
      });
      return { providerId: info.messageId ?? null };
    },
  };
}

/** Development: the mail is written to the log (subject and recipients; the body at debug). */
export function logTransport(logger: Logger): MailTransport {
  return {
    name: 'log',
    async send(mail) {
      logger.info(
        { to: mail.to, cc: mail.cc, subject: mail.subject },
        'mail (log transport; set FIELDLINE_SMTP_URL to send it)',
      );
      logger.debug({ text: mail.text, attachments: mail.attachments?.map((a) => a.filename) }, 'mail body');
      return { providerId: null };
    },
  };
}
