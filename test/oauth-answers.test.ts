// The OAuth endpoints answer in OAuth's words even where Better Auth refuses a request before the
// protocol starts: a JSON body where a form is due is RFC 6749's invalid_request (which OAuth
// clients read), and a redirect carries no body type. Found by test/fuzz-openapi.test.ts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, type TestContext } from './support/test-context.ts';

let t: TestContext;
before(async () => {
  t = await createTestContext();
});
after(async () => t.close());

for (const endpoint of ['token', 'introspect', 'revoke']) {
  test(`POST /v1/auth/oauth2/${endpoint} with a JSON body: OAuth's invalid_request`, async () => {
    const response = await t.call('POST', `/v1/auth/oauth2/${endpoint}`, { body: { grant_type: 'x', token: 'y' } });
    assert.ok(response.status >= 400 && response.status < 500, response.text);
    assert.equal(response.body.error, 'invalid_request', response.text);
    assert.equal(typeof response.body.error_description, 'string');
    assert.equal(response.body.message, undefined);
  });
}

test('an authorization that cannot go back to its client redirects with no body type', async () => {
  const response = await t.app.request(
    '/v1/auth/oauth2/authorize?response_type=code&client_id=nobody&redirect_uri=not-a-url&scope=read%3Ajobs',
  );
  assert.equal(response.status, 302);
  assert.ok(response.headers.get('location'));
  assert.equal(response.headers.get('content-type'), null);
});
