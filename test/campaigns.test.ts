// Email templates and campaigns: templates are checked when saved and previewed safely;
// a campaign mails each recipient exactly once, in the background, respecting pause, and a
// sender that dies mid-batch (before or after its commit) neither loses nor repeats a mail.
import { describe, test, before, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { accountClient, createTestContext, type TestContext, type TestAccount } from './support/test-context.ts';
import { assertNames, assertProblem } from './support/problem-assertions.ts';
import { systemQuery } from '../src/db/system-query.ts';
import { CampaignSender } from '../src/domain/campaign-sender.ts';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { dyingAtCommit } from './support/dying-database.ts';
import { campaignSending } from '../src/domain/campaign-sender.ts';

let ctx: TestContext;
let account: TestAccount;
before(async () => {
  ctx = await createTestContext();
});
after(async () => {
  await ctx.close();
});
beforeEach(async () => {
  account = await ctx.newAccount('Campaign Co');
});

const { call, created } = accountClient(
  () => ctx,
  () => account,
);
/** Sending for this test's account only: other files share the database. */
const sendDue = () => ctx.runtime.use(campaignSending).sendDue({ accountIds: [account.id] });
const mailsOf = (campaignRecipientsOf: string) =>
  systemQuery(ctx.db, {
    sql: `SELECT m.id, m.to_addresses[1] AS address, m.subject, m.text_body, m.html_body FROM mail_outbox m
        JOIN campaign_recipients r ON r.account_id = m.account_id AND r.mail_id = m.id WHERE r.campaign_id = $1
        ORDER BY address`,
    parameters: [campaignRecipientsOf],
  });
/** Every mail queued to these addresses, however it got there (a duplicate would show here). */
const mailCount = async (addresses: string[]) =>
  (
    await systemQuery(ctx.db, {
      sql:
        'SELECT count(*)::int AS n, count(DISTINCT to_addresses[1])::int AS distinct_addresses FROM mail_outbox ' +
        'WHERE to_addresses[1] = ANY($1::text[])',
      parameters: [addresses],
    })
  )[0];

const TEMPLATE = {
  name: 'Spring tune-up',
  subject: '{{contact.first_name}}, your spring tune-up',
  text_body: 'Hi {{contact.first_name}},\nBook before {{deadline}}.',
  html_body: '<p>Hi {{contact.first_name}}</p>',
};

async function contacts(count: number, prefix = 'reader') {
  const operations = Array.from({ length: count }, (_, i) => ({
    action: 'create',
    data: { first_name: `${prefix} ${i}`, email: `${prefix}-${i}-${account.id}@example.test`.toLowerCase() },
  }));
  const ids: string[] = [];
  for (let i = 0; i < operations.length; i += 100) {
    const response = await call('POST', '/v1/contacts/bulk', { operations: operations.slice(i, i + 100) });
    assert.equal(response.status, 200, response.text);
    ids.push(...response.body.data.map((r: any) => r.data.id));
  }
  return ids;
}

async function campaignTo(contactIds: string[], template = TEMPLATE) {
  const tpl = await created('email-templates', template);
  const campaign = await created('campaigns', { name: 'Spring', template_id: tpl.id });
  for (let i = 0; i < contactIds.length; i += 500) {
    const added = await call('POST', `/v1/campaigns/${campaign.id}/recipients`, {
      contact_ids: contactIds.slice(i, i + 500),
    });
    assert.equal(added.status, 200, added.text);
  }
  return campaign;
}
const getCampaign = async (id: string) => (await call('GET', `/v1/campaigns/${id}`)).body.data;

describe('email templates', () => {
  test('a saved template lists its variables; a broken one is refused at the part that is wrong', async () => {
    const template = await created('email-templates', TEMPLATE);
    assert.deepEqual(template.variables, ['contact.first_name', 'deadline']);
    const broken = assertProblem(
      await call('POST', '/v1/email-templates', { ...TEMPLATE, subject: 'Hi {{contact.first_name' }),
      422,
      'validation_failed',
    );
    assertNames(broken, 'subject');
    const raw = assertProblem(
      await call('PATCH', `/v1/email-templates/${template.id}`, { html_body: '<p>{{{contact.first_name}}}</p>' }),
      422,
      'validation_failed',
    );
    assertNames(raw, 'html_body');
    assert.equal(
      (await call('GET', `/v1/email-templates/${template.id}`)).body.data.html_body,
      TEMPLATE.html_body,
      'unchanged',
    );
  });

  test(
    "preview renders a contact's values escaped in HTML, lists what is missing, and needs only read access " +
      "(to contacts too, for a contact's values)",
    async () => {
      const template = await created('email-templates', TEMPLATE);
      const contact = await created('contacts', { first_name: '<b>Ada</b>', email: 'ada@example.test' });
      const templatesOnly = await ctx.newKey(account.id, ['read:email-templates']);
      assertProblem(
        await call('POST', `/v1/email-templates/${template.id}/preview`, { contact_id: contact.id }, templatesOnly),
        403,
        'insufficient_scope',
      );
      const reader = await ctx.newKey(account.id, ['read:email-templates', 'read:contacts']);
      const preview = await call(
        'POST',
        `/v1/email-templates/${template.id}/preview`,
        { contact_id: contact.id },
        reader,
      );
      assert.equal(preview.status, 200, preview.text);
      assert.deepEqual(preview.body.data, {
        object: 'email_preview',
        template_id: template.id,
        subject: '<b>Ada</b>, your spring tune-up',
        text: 'Hi <b>Ada</b>,\nBook before .',
        html: '<p>Hi &lt;b&gt;Ada&lt;&#x2F;b&gt;</p>',
        missing_variables: ['deadline'],
      });
      const given = (
        await call('POST', `/v1/email-templates/${template.id}/preview`, {
          variables: { contact: { first_name: 'Bo' }, deadline: 'May 1' },
        })
      ).body.data;
      assert.deepEqual([given.subject, given.missing_variables], ['Bo, your spring tune-up', []]);
      assertNames(
        assertProblem(
          await call('POST', `/v1/email-templates/${template.id}/preview`, {
            contact_id: 'con_01ARZ3NDEKTSV4RRFFQ69G5FAV',
          }),
          422,
          'validation_failed',
        ),
        'contact_id',
      );
      const other = await ctx.newAccount('Other Co');
      assertProblem(await call('POST', `/v1/email-templates/${template.id}/preview`, {}, other.key), 404, 'not_found');
    },
  );

  test('a template a campaign uses cannot be deleted; deleting the campaign takes its recipients along', async () => {
    const [id] = await contacts(1);
    const campaign = await campaignTo([id]);
    const problem = assertProblem(await call('DELETE', `/v1/email-templates/${campaign.template_id}`), 409, 'conflict');
    assert.match(problem.detail, /referenced by campaigns/);
    assert.equal((await call('DELETE', `/v1/campaigns/${campaign.id}`)).status, 200);
    assert.equal(
      (await call('GET', `/v1/campaign-recipients?campaign_id=${campaign.id}&count=true`)).body.page.total,
      0,
    );
    const deleted = (await call('GET', '/v1/events?type=campaign_recipient.deleted&limit=10')).body.data;
    assert.deepEqual(
      deleted.map((e: any) => e.data.object.contact_id),
      [id],
      'each recipient leaves its own event',
    );
    assert.equal((await call('DELETE', `/v1/email-templates/${campaign.template_id}`)).status, 200);
  });
});

describe('campaigns', () => {
  test('recipients: added once, only with an email, only while the campaign is a draft or paused', async () => {
    const [first, second] = await contacts(2);
    const silent = await created('contacts', { first_name: 'No Mail' });
    const campaign = await campaignTo([first]);
    const again = await call('POST', `/v1/campaigns/${campaign.id}/recipients`, { contact_ids: [first, second] });
    assert.deepEqual([again.body.data.added, again.body.data.already_added], [1, [first]]);
    const noEmail = assertProblem(
      await call('POST', `/v1/campaigns/${campaign.id}/recipients`, { contact_ids: [silent.id] }),
      422,
      'validation_failed',
    );
    assertNames(noEmail, 'contact_ids.0');
    assert.equal((await getCampaign(campaign.id)).recipient_count, 2);
    const listed = (await call('GET', `/v1/campaigns/${campaign.id}/recipients`)).body;
    assert.deepEqual(
      listed.data.map((r: any) => r.status),
      ['pending', 'pending'],
    );

    const removed = await call('DELETE', `/v1/campaigns/${campaign.id}/recipients/${second}`);
    assert.equal(removed.status, 200, removed.text);
    assert.equal((await getCampaign(campaign.id)).recipient_count, 1);
    assert.equal((await call('POST', `/v1/campaigns/${campaign.id}/send`)).status, 202);
    assertProblem(
      await call('POST', `/v1/campaigns/${campaign.id}/recipients`, { contact_ids: [second] }),
      409,
      'conflict',
    );
  });

  test(
    'send needs recipients; then every recipient gets one mail rendered for them, ' + 'and the campaign completes',
    async () => {
      const empty = await created('campaigns', {
        name: 'Nobody',
        template_id: (await created('email-templates', TEMPLATE)).id,
      });
      assertNames(
        assertProblem(await call('POST', `/v1/campaigns/${empty.id}/send`), 422, 'validation_failed'),
        'recipients',
      );
      assert.equal((await getCampaign(empty.id)).status, 'draft');

      const ids = await contacts(3);
      const campaign = await campaignTo(ids);
      await call('DELETE', `/v1/contacts/${ids[2]}`); // deleted before sending: passed over
      const started = await call('POST', `/v1/campaigns/${campaign.id}/send`);
      assert.equal(started.status, 202, started.text);
      assert.equal(started.body.data.status, 'sending');
      assert.equal((await mailsOf(campaign.id)).length, 0, 'nothing is mailed inside the request');

      await sendDue();
      const mails = await mailsOf(campaign.id);
      assert.deepEqual(
        mails.map((m) => m.subject),
        ['reader 0, your spring tune-up', 'reader 1, your spring tune-up'],
      );
      assert.ok(mails[0].html_body.startsWith('<p>Hi reader 0</p>'), mails[0].html_body);
      assert.match(mails[0].html_body, /\/v1\/unsubscribe\/[\w-]+\.[\w-]+/, 'with its unsubscribe link');
      const done = await getCampaign(campaign.id);
      assert.deepEqual([done.status, done.sent_count, done.skipped_count], ['sent', 2, 1]);
      assert.ok(done.completed_at);
      const recipients = (await call('GET', `/v1/campaigns/${campaign.id}/recipients?sort=created_at`)).body.data;
      assert.deepEqual(
        recipients.map((r: any) => [r.status, r.skipped_reason]),
        [
          ['sent', null],
          ['sent', null],
          ['skipped', 'the contact was deleted'],
        ],
      );
      assert.deepEqual(
        recipients
          .slice(0, 2)
          .map((r: any) => r.mail_id)
          .sort(),
        mails.map((m) => m.id).sort(),
      );
      const events = (
        await call(
          'GET',
          '/v1/events?type[in]=campaign_recipient.sent,campaign_recipient.skipped,campaign.completed&limit=10',
        )
      ).body.data;
      assert.deepEqual(events.map((e: any) => e.type).sort(), [
        'campaign.completed',
        'campaign_recipient.sent',
        'campaign_recipient.sent',
        'campaign_recipient.skipped',
      ]);

      await sendDue();
      assert.equal((await mailsOf(campaign.id)).length, 2, 'running again sends nothing twice');
    },
  );

  test('pause stops sending between batches; resume finishes; cancel skips who is left', async () => {
    const ids = await contacts(60);
    const campaign = await campaignTo(ids);
    await call('POST', `/v1/campaigns/${campaign.id}/send`);
    const batch = await ctx.runtime.use(campaignSending).sendBatch(account.id, campaign.id);
    assert.equal(batch.mailed, 50);
    assert.equal((await call('POST', `/v1/campaigns/${campaign.id}/pause`)).status, 200);
    await sendDue();
    assert.equal((await mailsOf(campaign.id)).length, 50, 'nothing mailed while paused');
    assert.equal((await call('POST', `/v1/campaigns/${campaign.id}/resume`)).status, 200);
    await sendDue();
    const done = await getCampaign(campaign.id);
    assert.deepEqual([done.status, done.sent_count, (await mailsOf(campaign.id)).length], ['sent', 60, 60]);

    const later = await campaignTo(await contacts(3, 'late'));
    await call('POST', `/v1/campaigns/${later.id}/send`);
    const cancelled = await call('POST', `/v1/campaigns/${later.id}/cancel`);
    assert.deepEqual([cancelled.body.data.status, cancelled.body.data.skipped_count], ['cancelled', 3]);
    const skippedEvents = (await call('GET', '/v1/events?type=campaign_recipient.skipped&limit=10')).body.data;
    assert.deepEqual(
      skippedEvents.map((e: any) => [e.data.object.campaign_id, e.data.previous_attributes.status]),
      Array(3).fill([later.id, 'pending']),
    );
    await sendDue();
    assert.equal((await mailsOf(later.id)).length, 0);
  });
});

describe('campaign sending across a crash', () => {
  for (const when of ['before', 'after'] as const) {
    test(`a sender dying ${when} a batch commits: each recipient is mailed exactly once`, async () => {
      const ids = await contacts(120);
      const addresses = (
        await systemQuery(ctx.db, { sql: 'SELECT email FROM contacts WHERE id = ANY($1::text[])', parameters: [ids] })
      ).map((r) => r.email);
      const campaign = await campaignTo(ids);
      await call('POST', `/v1/campaigns/${campaign.id}/send`);
      const die = () => {
        throw new Error('connection lost');
      };
      const crashing = new CampaignSender(
        { ...ctx.runtime, db: dyingAtCommit(ctx.db, { when, times: 2, die }) },
        pino({ level: 'silent' }),
      );
      // Each run's batch dies; the sender logs it and ends the run (no progress), as a node would.
      assert.equal(await crashing.sendDue({ accountIds: [account.id] }), 0);
      assert.equal(await crashing.sendDue({ accountIds: [account.id] }), 0);
      const afterCrash = await mailCount(addresses);
      assert.equal(
        afterCrash.n,
        when === 'before' ? 0 : 100,
        'a batch that did not commit left no mail; one that did left all of its mail',
      );
      assert.equal(afterCrash.n, afterCrash.distinct_addresses);

      await sendDue(); // a fresh sender takes over
      assert.deepEqual(await mailCount(addresses), { n: 120, distinct_addresses: 120 });
      const done = await getCampaign(campaign.id);
      assert.deepEqual([done.status, done.sent_count], ['sent', 120]);
    });
  }

  // The same, with a real process that SIGKILLs itself at its third batch's COMMIT: PostgreSQL
  // sees the connection drop with the transaction open (or just committed).
  for (const when of ['before', 'after'] as const) {
    test(
      `a sender process killed ${when} a batch commits: each recipient is mailed exactly once`,
      { skip: !process.env.DATABASE_URL && 'needs PostgreSQL' },
      async () => {
        const ids = await contacts(45);
        const addresses = (
          await systemQuery(ctx.db, { sql: 'SELECT email FROM contacts WHERE id = ANY($1::text[])', parameters: [ids] })
        ).map((r) => r.email);
        const campaign = await campaignTo(ids);
        await call('POST', `/v1/campaigns/${campaign.id}/send`);
        const worker = spawn(process.execPath, ['--import', 'tsx', 'test/support/campaign-worker.ts'], {
          env: { ...process.env, ACCOUNT_ID: account.id, CRASH: when, SKIP: '2' },
          stdio: ['ignore', 'inherit', 'inherit'],
        });
        const [, signal] = await once(worker, 'exit');
        assert.equal(signal, 'SIGKILL', 'the worker died mid-send');
        assert.equal(
          (await mailCount(addresses)).n,
          when === 'before' ? 20 : 30,
          'two batches of ten committed before the crash (three if it came after the COMMIT)',
        );

        await sendDue();
        assert.deepEqual(await mailCount(addresses), { n: 45, distinct_addresses: 45 });
        assert.deepEqual(
          [(await getCampaign(campaign.id)).status, (await getCampaign(campaign.id)).sent_count],
          ['sent', 45],
        );
      },
    );
  }
});
