// Consent: a contact who replies STOP to a text gets no more texts until they reply START, and a
// contact who follows the unsubscribe link of campaign mail (or presses their mail client's
// RFC 8058 one-click button) gets no more campaign mail. Nothing is queued for an opted-out
// recipient; the mail that goes carries the link and its List-Unsubscribe headers.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ParsedMail } from 'mailparser';
import { startSmtpInbox, type SmtpInbox } from './support/smtp-inbox.ts';
import { systemQuery } from '../src/db/system-query.ts';
import { campaignSending } from '../src/domain/campaign-sender.ts';
import { mailRelay } from '../src/mail/mail-module.ts';
import { accountClient, createTestContext, type TestAccount, type TestContext } from './support/test-context.ts';
import { assertProblem } from './support/problem-assertions.ts';

let ctx: TestContext;
let account: TestAccount;
let smtp: SmtpInbox;
const inbox: ParsedMail[] = [];
const { call, created } = accountClient(
  () => ctx,
  () => account,
);

before(async () => {
  smtp = await startSmtpInbox({ mails: inbox });
  ctx = await createTestContext({ smtp: { url: smtp.url, from: 'News <news@fieldline.test>' } });
  account = await ctx.newAccount('Bright Windows');
});
after(async () => {
  await ctx.close();
  await smtp.close();
});

const contactOf = async (id: string) => (await call('GET', `/v1/contacts/${id}`)).body.data;
const textsQueued = async () =>
  (
    await systemQuery(ctx.db, {
      sql: 'SELECT count(*)::int AS n FROM sms_outbox WHERE account_id = $1',
      parameters: [account.id],
    })
  )[0].n;

describe('texts and STOP', () => {
  test('a STOP reply opts the number out (however it is written); texts are refused until START', async () => {
    const ada = await created('contacts', { first_name: 'Ada', phone: '+1 415 555 0142' });
    const sameNumber = await created('contacts', { first_name: 'Ada (office)', phone: '+14155550142' });
    const other = await created('contacts', { first_name: 'Grace', phone: '+14155550199' });
    const conversation = await created('conversations', { channel: 'sms', contact_id: ada.id });
    const send = (body: string) => call('POST', '/v1/messages/send', { conversation_id: conversation.id, body });

    assert.equal((await send('Your technician arrives at 9.')).status, 200);
    const queued = await textsQueued();

    const plain = await created('messages', { conversation_id: conversation.id, body: 'Please stop by at 10' });
    assert.equal(plain.direction, 'inbound');
    assert.equal((await contactOf(ada.id)).sms_opt_out, false, 'only the keyword alone counts');

    await created('messages', { conversation_id: conversation.id, body: ' Stop. ', from_address: '+14155550142' });
    assert.equal((await contactOf(ada.id)).sms_opt_out, true);
    assert.equal((await contactOf(sameNumber.id)).sms_opt_out, true, 'the same number, written otherwise');
    assert.equal((await contactOf(other.id)).sms_opt_out, false);
    const events = (await call('GET', `/v1/events?type=contact.updated`)).body.data;
    assert.ok(events.some((event: any) => event.data.object.id === ada.id && event.data.object.sms_opt_out));

    const refused = assertProblem(await send('One more thing'), 422, 'validation_failed');
    assert.match(JSON.stringify(refused.errors), /opted out of texts.*START/);
    assert.equal(await textsQueued(), queued, 'nothing queued');

    await created('messages', { conversation_id: conversation.id, body: 'START', from_address: '+14155550142' });
    assert.equal((await contactOf(ada.id)).sms_opt_out, false);
    assert.equal((await send('Welcome back.')).status, 200);
    assert.equal(await textsQueued(), queued + 1);
  });

  test('staff can set the flag too, and STOP in an email conversation is just a message', async () => {
    const lin = await created('contacts', { first_name: 'Lin', phone: '+14155550123', email: 'lin@example.test' });
    const email = await created('conversations', { channel: 'email', contact_id: lin.id });
    await created('messages', { conversation_id: email.id, body: 'STOP' });
    assert.equal((await contactOf(lin.id)).sms_opt_out, false);
    assert.equal((await call('PATCH', `/v1/contacts/${lin.id}`, { sms_opt_out: true })).status, 200);
    const texts = await created('conversations', { channel: 'sms', participant_address: '+1 (415) 555-0123' });
    assertProblem(
      await call('POST', '/v1/messages/send', { conversation_id: texts.id, body: 'Hello' }),
      422,
      'validation_failed',
    );
    const optedOut = (await call('GET', '/v1/contacts?sms_opt_out=true')).body.data.map((c: any) => c.id);
    assert.ok(optedOut.includes(lin.id), 'filterable');
  });
});

describe('campaign mail and its unsubscribe link', () => {
  test('carries the link and RFC 8058 headers; one click unsubscribes; the next campaign skips them', async () => {
    const readers = await Promise.all(
      ['ada', 'grace'].map((name) => created('contacts', { first_name: name, email: `${name}@example.test` })),
    );
    const template = await created('email-templates', {
      name: 'Autumn',
      subject: 'Autumn offer for {{contact.first_name}}',
      text_body: 'Hi {{contact.first_name}}, gutters cleaned for less this month.',
      html_body: '<html><body><p>Hi {{contact.first_name}}</p></body></html>',
    });
    const campaign = async () => {
      const made = await created('campaigns', { name: 'Autumn', template_id: template.id });
      const added = await call('POST', `/v1/campaigns/${made.id}/recipients`, {
        contact_ids: readers.map((r) => r.id),
      });
      assert.equal(added.status, 200, added.text);
      assert.equal((await call('POST', `/v1/campaigns/${made.id}/send`)).status, 202);
      await ctx.runtime.use(campaignSending).sendDue({ accountIds: [account.id] });
      const before = inbox.length;
      await ctx.runtime.use(mailRelay).deliver(undefined, [account.id]);
      return { id: made.id, mails: inbox.slice(before) };
    };

    const first = await campaign();
    assert.equal(first.mails.length, 2);
    const mail = first.mails.find((m) => m.subject === 'Autumn offer for ada')!;
    const header = (name: string) => mail.headerLines.find((line) => line.key === name)?.line ?? '';
    const link = /<(http[^>]+\/v1\/unsubscribe\/[^>]+)>/.exec(header('list-unsubscribe'))?.[1];
    assert.ok(link, header('list-unsubscribe'));
    assert.match(header('list-unsubscribe-post'), /List-Unsubscribe=One-Click/);
    assert.ok(mail.text?.includes(`Unsubscribe: ${link}`), 'in the text');
    assert.ok(String(mail.html).includes('/v1/unsubscribe/'), 'and in the HTML');

    const path = new URL(link).pathname;
    const page = await ctx.app.request(path);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<form method="post">/);
    assert.equal((await contactOf(readers[0].id)).email_opt_out, false, 'opening the page changes nothing');

    const oneClick = () =>
      ctx.app.request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      });
    assert.equal((await oneClick()).status, 200);
    assert.equal((await contactOf(readers[0].id)).email_opt_out, true);
    assert.equal((await oneClick()).status, 200, 'twice is fine');

    const second = await campaign();
    assert.deepEqual(
      second.mails.map((m) => m.subject),
      ['Autumn offer for grace'],
    );
    const skipped = (await call('GET', `/v1/campaigns/${second.id}/recipients?status=skipped`)).body.data;
    assert.deepEqual(
      skipped.map((r: any) => [r.contact_id, r.skipped_reason]),
      [[readers[0].id, 'the contact unsubscribed']],
    );
  });

  test('a forged or altered link unsubscribes no one', async () => {
    const contact = await created('contacts', { first_name: 'Mo', email: 'mo@example.test' });
    const forged = Buffer.from(JSON.stringify([account.id, contact.id])).toString('base64url') + '.AAAA';
    for (const path of [`/v1/unsubscribe/${forged}`, '/v1/unsubscribe/not-a-token']) {
      const response = await ctx.app.request(path, { method: 'POST' });
      assert.equal(response.status, 404, path);
    }
    assert.equal((await contactOf(contact.id)).email_opt_out, false);
  });
});
