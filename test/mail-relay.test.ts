// The mail outbox relay against a real SMTP conversation: an smtp-server on 127.0.0.1 plays
// the mail provider. Queued mail is delivered once, a provider that refuses it gets it again
// later, and nothing is marked sent that the provider did not accept.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { createTestContext, type TestContext } from './support/test-context.ts';
import { systemQuery } from '../src/db/system-query.ts';
import { MailRelay, queueMailStatement } from '../src/mail/mail-outbox.ts';
import { smtpTransport } from '../src/mail/mail-transport.ts';
import { mailOutcomeStatements } from '../src/delivery/delivery-log.ts';

interface Received {
  from: string;
  to: string[];
  data: string;
}

let ctx: TestContext;
let accountId: string;
let server: SMTPServer;
let port: number;
const received: Received[] = [];
/** Subjects the provider refuses (451) the first time it sees them. */
const refuseOnce = new Set<string>();

before(async () => {
  ctx = await createTestContext();
  // Mail of an account of its own: on PostgreSQL other suites share the outbox, and each relays only its own.
  accountId = (await ctx.newAccount('Relay Co')).id;
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      let data = '';
      stream.on('data', (chunk) => {
        data += chunk;
      });
      stream.on('end', () => {
        const subject = /^Subject: (.*)$/m.exec(data)?.[1]?.trim() ?? '';
        if (refuseOnce.delete(subject)) {
          return callback(Object.assign(new Error('mailbox busy, try later'), { responseCode: 451 }));
        }
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          data,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.server.address() as AddressInfo).port;
});
after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await ctx.close();
});

const relay = () =>
  new MailRelay(
    ctx.db,
    smtpTransport(`smtp://127.0.0.1:${port}`, 'Fieldline <alerts@fieldline.test>'),
    pino({ level: 'silent' }),
  );
const outbox = (subject: string) =>
  systemQuery(ctx.db, {
    sql: 'SELECT attempts, sent_at, last_error, next_attempt_at FROM mail_outbox WHERE subject = $1',
    parameters: [subject],
  });

describe('mail relay', () => {
  test('a queued mail is delivered over SMTP once and marked sent', async () => {
    await systemQuery(
      ctx.db,
      queueMailStatement({
        accountId,
        to: ['a@example.test', 'b@example.test'],
        subject: 'Hello relay',
        text: 'Body line',
      }),
    );
    // Other suites may queue mail in a shared database: count only this one.
    const copies = () => received.filter((m) => m.data.includes('Subject: Hello relay'));
    assert.ok((await relay().deliver(Date.now(), [accountId])) >= 1);
    await relay().deliver(Date.now(), [accountId]);
    assert.equal(copies().length, 1, 'delivered once, however often the relay runs');
    const mail = copies()[0];
    assert.deepEqual(mail.to, ['a@example.test', 'b@example.test']);
    assert.equal(mail.from, 'alerts@fieldline.test');
    assert.match(mail.data, /Subject: Hello relay/);
    assert.match(mail.data, /Body line/);
    const [row] = await outbox('Hello relay');
    assert.ok(row.sent_at);
    assert.equal(row.attempts, 1);
  });

  test('an HTML alternative travels with the text, and the outbox id is the Message-ID', async () => {
    const statement = queueMailStatement({
      accountId,
      to: ['h@example.test'],
      subject: 'Hello html',
      text: 'Plain words',
      html: '<p>Rich <b>words</b></p>',
    });
    const outboxId = statement.parameters[0] as string;
    await systemQuery(ctx.db, statement);
    await relay().deliver(Date.now(), [accountId]);
    const mail = received.find((m) => m.data.includes('Subject: Hello html'));
    assert.ok(mail, 'delivered');
    assert.match(mail.data, /Content-Type: multipart\/alternative/);
    assert.match(mail.data, /Plain words/);
    assert.match(mail.data, /<p>Rich <b>words<\/b><\/p>/);
    assert.match(mail.data, new RegExp(`Message-ID: <${outboxId}@fieldline\\.test>`));
  });

  test('a refused mail stays queued with the error and is sent on a later round', async () => {
    refuseOnce.add('Busy provider');
    await systemQuery(
      ctx.db,
      queueMailStatement({ accountId, to: ['c@example.test'], subject: 'Busy provider', text: 'Try again' }),
    );
    const now = Date.now();
    await relay().deliver(now, [accountId]);
    const [waiting] = await outbox('Busy provider');
    assert.equal(waiting.sent_at, null);
    assert.match(waiting.last_error, /451|busy/);
    assert.ok(Date.parse(waiting.next_attempt_at) > now, 'retried later, not at once');
    await relay().deliver(now, [accountId]);
    assert.equal((await outbox('Busy provider'))[0].attempts, 1, 'not due yet: not tried again');
    await relay().deliver(Date.parse(waiting.next_attempt_at) + 1, [accountId]);
    const [sent] = await outbox('Busy provider');
    assert.ok(sent.sent_at);
    assert.equal(sent.attempts, 2);
    assert.ok(received.some((m) => m.to.includes('c@example.test')));
  });

  test("an account's mail queued without a delivery (an alert) is logged at its first outcome", async () => {
    const logged = new MailRelay(
      ctx.db,
      smtpTransport(`smtp://127.0.0.1:${port}`, 'Fieldline <alerts@fieldline.test>'),
      pino({ level: 'silent' }),
      { outcomes: mailOutcomeStatements(ctx.db) },
    );
    refuseOnce.add('Alert: busy');
    await systemQuery(
      ctx.db,
      queueMailStatement({
        accountId,
        to: ['ops@example.test'],
        cc: ['boss@example.test'],
        subject: 'Alert: busy',
        text: '!',
      }),
    );
    const now = Date.now();
    await logged.deliver(now, [accountId]);
    const deliveries = () =>
      systemQuery(ctx.db, {
        sql: 'SELECT id, recipient, subject, status, attempts, error FROM deliveries WHERE account_id = $1',
        parameters: [accountId],
      });
    const [waiting] = await deliveries();
    assert.deepEqual(
      [waiting.recipient, waiting.subject, waiting.status, waiting.attempts],
      ['ops@example.test, boss@example.test', 'Alert: busy', 'queued', 1],
    );
    assert.match(waiting.error, /451|busy/);
    const [retry] = await outbox('Alert: busy');
    await logged.deliver(Date.parse(retry.next_attempt_at) + 1, [accountId]);
    const after = await deliveries();
    assert.deepEqual(
      after.map((d) => [d.id, d.status, d.attempts, d.error]),
      [[waiting.id, 'sent', 2, null]],
      'the same delivery, moved on',
    );
    const [event] = await systemQuery(ctx.db, {
      sql: `SELECT count(*)::int AS n FROM events WHERE account_id = $1 AND type = 'delivery.sent'`,
      parameters: [accountId],
    });
    assert.equal(event.n, 1);
  });
});
