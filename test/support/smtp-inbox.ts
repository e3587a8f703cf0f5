// A mail provider on 127.0.0.1 for tests: smtp-server accepts what the relay sends and
// mailparser reads each message into `mails`. `refuse` names recipients answered 550.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

export interface SmtpInbox {
  /** `smtp://127.0.0.1:<port>`, for the test context's `smtp.url`. */
  url: string;
  /** Every message received, in order. */
  mails: ParsedMail[];
  close(): Promise<void>;
}

export async function startSmtpInbox(
  options: { mails?: ParsedMail[]; refuse?: ReadonlySet<string> } = {},
): Promise<SmtpInbox> {
  const mails = options.mails ?? [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (options.refuse?.has(address.address))
        return callback(Object.assign(new Error('no such mailbox'), { responseCode: 550 }));
      callback();
    },
    onData(stream, _session, callback) {
      simpleParser(stream).then((mail) => {
        mails.push(mail);
        callback();
      }, callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
