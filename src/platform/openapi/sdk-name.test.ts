import { test } from 'node:test';
import assert from 'node:assert/strict';
import { customSdkName } from './sdk-name.ts';

const named = (operationId: string, path: string, collection?: string, singular?: string) =>
  customSdkName({ operationId, path, collection }, singular);

test("an endpoint's SDK method is its operationId without its namespace's own words", () => {
  assert.equal(named('tagContact', '/v1/contacts/{id}/tags', 'contacts', 'contact'), 'contacts.tag');
  assert.equal(named('bulkTagContacts', '/v1/contacts/bulk-tag', 'contacts', 'contact'), 'contacts.bulkTag');
  assert.equal(
    named('listDeliveriesOfEvent', '/v1/events/{id}/deliveries', 'events', 'event'),
    'events.listDeliveries',
  );
  assert.equal(
    named('downloadJobPhoto', '/v1/job-photos/{id}/content', 'job-photos', 'job_photo'),
    'jobPhotos.download',
  );
});

test('without a collection the first path segment is the namespace, acronyms matched whole', () => {
  assert.equal(named('createOAuthClient', '/v1/oauth/clients'), 'oauth.createClient');
  assert.equal(named('getRateLimit', '/v1/rate-limit'), 'rateLimit.get');
  assert.equal(named('signIn', '/v1/auth/sign-in'), 'auth.signIn');
});

test('an operation that is nothing but its namespace sits at the top level', () => {
  assert.equal(named('search', '/v1/search'), 'search');
  assert.equal(named('echo', '/v1/echo'), 'echo');
});
