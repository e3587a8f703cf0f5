// Web Push: a member's browser subscribes with the server's VAPID key; a push reaches the push
// service encrypted to the browser's keys and signed with that key; the push service's answer
// decides what becomes of the subscription and the delivery. The push service and the browser
// are played on 127.0.0.1 (test/support/push-service.ts).
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { accountClient, createTestContext, type TestAccount, type TestContext } from './support/test-context.ts';
import { assertNames, assertProblem } from './support/problem-assertions.ts';
import { browserSubscription, startPushService, vapidClaims } from './support/push-service.ts';
import { randomBytes } from 'node:crypto';
import { pushRelay, vapidKeys } from '../src/delivery/push/push-services.ts';
import { VapidKeyStore } from '../src/delivery/push/vapid-keys.ts';
import { SecretBox } from '../src/platform/secret-box.ts';
import { systemQuery } from '../src/db/system-query.ts';

let ctx: TestContext;
let account: TestAccount;
let pushService: Awaited<ReturnType<typeof startPushService>>;
const { call, created } = accountClient(
  () => ctx,
  () => account,
);

before(async () => {
  [ctx, pushService] = await Promise.all([createTestContext(), startPushService()]);
});
after(async () => Promise.all([ctx.close(), pushService.close()]));
beforeEach(async () => {
  account = await ctx.newAccount('Push Co');
});

let browsers = 0;
/** A member with a browser subscribed to their notifications. */
async function memberWithBrowser(name = 'Ann') {
  const user = await created('users', { name, email: `${name.toLowerCase()}.${++browsers}@push.example` });
  const browser = browserSubscription(`${pushService.origin}/push/${account.id}/${browsers}`);
  const subscription = await created('push-subscriptions', { user_id: user.id, ...browser, user_agent: 'Firefox 133' });
  return { user, browser, subscription };
}

const relay = (at = Date.now()) => ctx.runtime.use(pushRelay).deliver(at, [account.id]);
const pushesTo = (endpoint: string) => pushService.received.filter((p) => endpoint.endsWith(p.path));
const deliveriesOf = async (userEndpoint: string) =>
  (await call('GET', `/v1/deliveries?channel=push&recipient=${encodeURIComponent(userEndpoint)}`)).body.data;

describe('push subscriptions', () => {
  test('the VAPID key is made once and kept sealed; every read gives the same', async () => {
    const first = await call('GET', '/v1/push/vapid-key');
    assert.equal(first.status, 200, first.text);
    assert.match(first.body.data.public_key, /^[A-Za-z0-9_-]{87}$/);
    assert.equal(Buffer.from(first.body.data.public_key, 'base64url')[0], 4, 'an uncompressed P-256 point');
    const other = await ctx.newAccount('Other Co');
    assert.equal(
      (await call('GET', '/v1/push/vapid-key', undefined, other.key)).body.data.public_key,
      first.body.data.public_key,
    );
    const [stored] = await systemQuery(ctx.db, { sql: 'SELECT private_key FROM push_vapid_keys', parameters: [] });
    assert.doesNotMatch(stored.private_key, /^[A-Za-z0-9_-]{43}$/, 'the private key is not stored in the clear');
  });

  test('a server with another secret key makes its own pair and leaves the first alone', async () => {
    const ours = await ctx.runtime.use(vapidKeys).keys();
    const theirs = await new VapidKeyStore(ctx.db, new SecretBox(randomBytes(32)), {
      subject: 'mailto:a@b.test',
    }).keys();
    assert.notEqual(theirs.publicKey, ours.publicKey);
    const again = await new VapidKeyStore(ctx.db, ctx.runtime.secrets, { subject: 'mailto:a@b.test' }).keys();
    assert.deepEqual([again.publicKey, again.privateKey], [ours.publicKey, ours.privateKey]);
  });

  test('a subscription keeps its auth secret; bad keys and private endpoints are refused, nothing kept', async () => {
    const { subscription, user } = await memberWithBrowser();
    assert.equal(subscription.auth, undefined);
    assert.equal((await call('GET', `/v1/push-subscriptions/${subscription.id}`)).body.data.auth, undefined);
    const browser = browserSubscription(`${pushService.origin}/push/elsewhere`);
    const refusals = [
      [{ ...browser, p256dh: 'AAAA' }, 'p256dh'],
      [{ ...browser, auth: Buffer.alloc(20).toString('base64url') }, 'auth'],
      [{ ...browser, endpoint: 'http://169.254.169.254/latest/meta-data' }, 'endpoint'],
      [{ ...browser, endpoint: 'ftp://push.example/x' }, 'endpoint'],
    ] as const;
    for (const [body, path] of refusals)
      assertNames(
        assertProblem(
          await call('POST', '/v1/push-subscriptions', { user_id: user.id, ...body }),
          422,
          'validation_failed',
        ),
        path,
      );
    assertProblem(await call('POST', '/v1/push-subscriptions', browser), 403, 'forbidden'); // a key is no member
    assertProblem(
      await call('POST', '/v1/push-subscriptions', { user_id: user.id, ...browser, endpoint: subscription.endpoint }),
      409,
      'conflict',
    );
    assert.equal((await call('GET', '/v1/push-subscriptions')).body.data.length, 1);
  });

  test('a signed-in member subscribes their own browser without naming themselves', async () => {
    const signUp = await ctx.call('POST', '/v1/auth/sign-up', {
      body: { name: 'Sam', email: 'sam@push.example', password: 'correct horse battery', account_name: 'Sam Co' },
    });
    const cookie = signUp.headers
      .getSetCookie()
      .find((c) => c.startsWith('fieldline.session_token='))!
      .split(';')[0];
    const mine = await ctx.call('POST', '/v1/push-subscriptions', {
      headers: { cookie },
      body: browserSubscription(`${pushService.origin}/push/sam`),
    });
    assert.equal(mine.status, 201, mine.text);
    const me = await ctx.call('GET', '/v1/users/me', { headers: { cookie } });
    assert.equal(mine.body.data.user_id, me.body.data.id);
  });
});

describe('sending', () => {
  test('a test push reaches the browser encrypted to its keys and signed with the VAPID key', async () => {
    const { user, browser, subscription } = await memberWithBrowser();
    const sent = await call('POST', '/v1/push/send', { user_id: user.id, title: 'Hello', body: 'From the office' });
    assert.equal(sent.status, 200, sent.text);
    assert.equal(sent.body.data.delivery_ids.length, 1);
    assert.equal(await relay(), 1);

    const [push] = pushesTo(browser.endpoint);
    assert.deepEqual(browser.open(push), { title: 'Hello', body: 'From the office' });
    assert.equal(push.headers.ttl, '86400');
    const { claims, publicKey } = vapidClaims(push);
    assert.equal(publicKey, (await call('GET', '/v1/push/vapid-key')).body.data.public_key);
    assert.equal(claims.aud, pushService.origin);
    assert.match(claims.sub, /^(mailto:|https:)/);
    assert.ok(claims.exp * 1000 > Date.now() && claims.exp * 1000 <= Date.now() + 24 * 3600_000);

    const [delivery] = await deliveriesOf(browser.endpoint);
    assert.equal(delivery.id, sent.body.data.delivery_ids[0]);
    assert.deepEqual([delivery.status, delivery.subject, delivery.attempts], ['sent', 'Hello', 1]);
    assert.match(delivery.provider_id, /\/messages\/m\d+$/);
    const after = (await call('GET', `/v1/push-subscriptions/${subscription.id}`)).body.data;
    assert.ok(after.last_success_at);
    assert.equal(await relay(), 0, 'sent once');
  });

  test('a member without subscriptions gets a 422, and nothing is queued', async () => {
    const user = await created('users', { name: 'Nobody', email: 'nobody@push.example' });
    assertNames(
      assertProblem(await call('POST', '/v1/push/send', { user_id: user.id }), 422, 'validation_failed'),
      'user_id',
    );
    assertProblem(
      await call('POST', '/v1/push/send', { user_id: 'usr_01ARZ3NDEKTSV4RRFFQ69G5FAV' }),
      422,
      'validation_failed',
    );
    assert.equal((await call('GET', '/v1/deliveries?channel=push')).body.data.length, 0);
  });

  test('a subscription the push service says is gone (410) is removed, and its delivery fails', async () => {
    const { user, browser, subscription } = await memberWithBrowser();
    pushService.answer(new URL(browser.endpoint).pathname, 410);
    await call('POST', '/v1/push/send', { user_id: user.id });
    assert.equal(await relay(), 0);
    assertProblem(await call('GET', `/v1/push-subscriptions/${subscription.id}`), 404, 'not_found');
    const [delivery] = await deliveriesOf(browser.endpoint);
    assert.equal(delivery.status, 'failed');
    assert.match(delivery.error, /410.*unsubscribed/);
    const events = (await call('GET', '/v1/events?type=push_subscription.deleted')).body.data;
    assert.equal(events[0].data.object.id, subscription.id);
    assert.equal((await call('GET', '/v1/events?type=delivery.failed')).body.data.length, 1);
  });

  test('a busy push service (429) is tried again after its Retry-After; a refusal (400) is not', async () => {
    const busy = await memberWithBrowser('Busy');
    const refusing = await memberWithBrowser('Refused');
    pushService.answer(new URL(busy.browser.endpoint).pathname, 429);
    pushService.answer(new URL(refusing.browser.endpoint).pathname, 400);
    await call('POST', '/v1/push/send', { user_id: busy.user.id });
    await call('POST', '/v1/push/send', { user_id: refusing.user.id });
    const now = Date.now();
    assert.equal(await relay(now), 0);
    const [waiting] = await deliveriesOf(busy.browser.endpoint);
    assert.deepEqual([waiting.status, waiting.attempts], ['queued', 1]);
    assert.match(waiting.error, /429/);
    assert.equal((await deliveriesOf(refusing.browser.endpoint))[0].status, 'failed');
    assert.equal(await relay(now + 60_000), 0, 'not before Retry-After (120 s)');
    assert.equal(await relay(now + 121_000), 1);
    const [sent] = await deliveriesOf(busy.browser.endpoint);
    assert.deepEqual([sent.status, sent.attempts, sent.error], ['sent', 2, null]);
    assert.equal(pushesTo(refusing.browser.endpoint).length, 1, 'a refused push is not tried again');
  });
});
