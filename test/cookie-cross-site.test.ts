// A person's session cookie rides along on any request a browser makes, even one a page of
// another site starts with a plain HTML form. State-changing calls carried by the cookie are
// accepted only from this server's own pages, the portal's origins and the origins the account
// allows; bearer credentials (API keys, OAuth tokens, session tokens) are never sent by a
// browser on its own and are unaffected. A call with neither Origin nor Sec-Fetch-Site comes
// from no browser (browsers send Origin on every cross-site POST) and is accepted.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, type TestContext } from './support/test-context.ts';
import { assertProblem } from './support/problem-assertions.ts';
import { multipartBody, TINY_PNG } from './support/uploads.ts';
import { signUp } from './support/members.ts';

const OWN = 'http://localhost:3000'; // the test context's public URL
const PORTAL = 'http://localhost:5173'; // the portal served elsewhere (FIELDLINE_PORTAL_ORIGINS)
const ALLOWED = 'http://localhost:8080'; // an origin the account allows (cors_allowed_origins)
const EVIL = { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' };

let t: TestContext;
let owner: { cookie: string; accountId: string; key: string; token: string };

before(async () => {
  t = await createTestContext({ portalOrigins: [PORTAL] });
  const person = await signUp(t, 'Ada');
  const created = await t.call('POST', '/v1/api-keys', {
    headers: { cookie: person.cookie },
    body: { name: 'server', scopes: ['read:*', 'write:*'] },
  });
  assert.equal(created.status, 201, created.text);
  const signedIn = await t.call('POST', '/v1/auth/sign-in', {
    body: { email: person.email, password: 'correct horse battery' },
  });
  assert.equal(signedIn.status, 200, signedIn.text);
  owner = { ...person, key: created.body.data.secret, token: signedIn.body.data.token };
  const origins = await t.call('PATCH', '/v1/account', {
    key: owner.key,
    body: { cors_allowed_origins: [ALLOWED] },
  });
  assert.equal(origins.status, 200, origins.text);
});
after(async () => {
  await t.close();
});

const asCookie = (headers: Record<string, string> = {}) => ({ cookie: owner.cookie, ...headers });

async function newKey() {
  const res = await t.call('POST', '/v1/api-keys', { key: owner.key, body: { name: 'victim', scopes: ['read:*'] } });
  assert.equal(res.status, 201, res.text);
  return res.body.data as { id: string; secret: string };
}
async function newJob() {
  const customer = await t.call('POST', '/v1/customers', { key: owner.key, body: { name: 'Site' } });
  const job = await t.call('POST', '/v1/jobs', {
    key: owner.key,
    body: { title: 'Boiler', customer_id: customer.body.data.id },
  });
  assert.equal(job.status, 201, job.text);
  return job.body.data as { id: string; status: string };
}

/** The three requests a plain HTML form on another site can make, with `headers` added. */
const forms = {
  revoke: (id: string, headers: Record<string, string>) =>
    t.call('POST', `/v1/api-keys/${id}/revoke`, {
      rawBody: '',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    }),
  upload: async (jobId: string, headers: Record<string, string>) => {
    const body = await multipartBody({ caption: 'a caption' }, { bytes: TINY_PNG });
    return t.call('POST', `/v1/jobs/${jobId}/photos`, {
      rawBody: body.rawBody,
      headers: { ...body.headers, ...headers },
    });
  },
  cancel: (jobId: string, headers: Record<string, string>) => t.call('POST', `/v1/jobs/${jobId}/cancel`, { headers }),
};

const keyWorks = async (secret: string) => (await t.call('GET', '/v1/customers', { key: secret })).status === 200;
const photoCount = async (jobId: string) =>
  (await t.call('GET', `/v1/jobs/${jobId}/photos`, { key: owner.key })).body.data.length as number;
const jobStatus = async (jobId: string) =>
  (await t.call('GET', `/v1/jobs/${jobId}`, { key: owner.key })).body.data.status as string;

/** Each form request made with `headers` is refused with 403 forbidden and changes nothing. */
async function assertRefused(headers: Record<string, string>) {
  const key = await newKey();
  const job = await newJob();
  const refusals = [
    await forms.revoke(key.id, headers),
    await forms.upload(job.id, headers),
    await forms.cancel(job.id, headers),
  ];
  for (const res of refusals) {
    const problem = assertProblem(res, 403, 'forbidden');
    assert.match(problem.detail, /cookie/i);
  }
  assert.ok(await keyWorks(key.secret), 'the key was not revoked');
  assert.equal(await photoCount(job.id), 0, 'no photo was stored');
  assert.equal(await jobStatus(job.id), job.status, 'the job was not cancelled');
}

/** Each form request made with `headers` works. */
async function assertAccepted(headers: Record<string, string>) {
  const key = await newKey();
  const job = await newJob();
  const revoked = await forms.revoke(key.id, headers);
  assert.equal(revoked.status, 200, revoked.text);
  assert.equal(await keyWorks(key.secret), false, 'the key was revoked');
  const uploaded = await forms.upload(job.id, headers);
  assert.equal(uploaded.status, 200, uploaded.text);
  assert.equal(await photoCount(job.id), 1);
  const cancelled = await forms.cancel(job.id, headers);
  assert.equal(cancelled.status, 200, cancelled.text);
  assert.equal(await jobStatus(job.id), 'cancelled');
}

describe('cookie sessions and cross-site requests', () => {
  test('a form-encoded revoke, a multipart upload and a body-less action from another site are refused', async () => {
    await assertRefused(asCookie(EVIL));
  });

  test('another origin is refused without Sec-Fetch-Site too, and a same-site origin nobody allows', async () => {
    await assertRefused(asCookie({ origin: 'https://evil.example' }));
    await assertRefused(asCookie({ origin: 'null' }));
    await assertRefused(asCookie({ origin: 'http://localhost:9999', 'sec-fetch-site': 'same-site' }));
    await assertRefused(asCookie({ 'sec-fetch-site': 'same-site' }));
  });

  test('a cross-site request is refused even from an origin the account allows (SameSite=Lax cookie)', async () => {
    await assertRefused(asCookie({ origin: ALLOWED, 'sec-fetch-site': 'cross-site' }));
  });

  test('session-only routes refuse the cookie from another site too', async () => {
    const other = await signUp(t, 'Grace');
    const switched = await t.call('POST', '/v1/auth/switch-account', {
      headers: { cookie: other.cookie, ...EVIL },
      body: { account_id: other.accountId },
    });
    assertProblem(switched, 403, 'forbidden');
    const signedOut = await t.call('POST', '/v1/auth/sign-out', { headers: { cookie: other.cookie, ...EVIL } });
    assertProblem(signedOut, 403, 'forbidden');
    const me = await t.call('GET', '/v1/users/me', { headers: { cookie: other.cookie } });
    assert.equal(me.status, 200, 'still signed in');
  });

  test("the server's own pages, the portal's origins and the account's origins work with the cookie", async () => {
    await assertAccepted(asCookie({ origin: OWN, 'sec-fetch-site': 'same-origin' }));
    await assertAccepted(asCookie({ origin: OWN }));
    await assertAccepted(asCookie({ origin: PORTAL, 'sec-fetch-site': 'same-site' }));
    await assertAccepted(asCookie({ origin: ALLOWED, 'sec-fetch-site': 'same-site' }));
  });

  test('a client that is no browser (neither Origin nor Sec-Fetch-Site) works with the cookie', async () => {
    await assertAccepted(asCookie());
  });

  test('reads with the cookie are not refused (CORS keeps their answers from other sites)', async () => {
    const read = await t.call('GET', '/v1/customers', { headers: asCookie(EVIL) });
    assert.equal(read.status, 200, read.text);
    assert.equal(read.headers.get('access-control-allow-origin'), null);
  });

  test('bearer credentials are unaffected by Origin: an API key and a session token', async () => {
    await assertAccepted({ authorization: `Bearer ${owner.key}`, ...EVIL });
    await assertAccepted({ authorization: `Bearer ${owner.token}`, ...EVIL });
  });
});
