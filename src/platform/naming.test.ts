import { test } from 'node:test';
import assert from 'node:assert/strict';
import { camelCase, pascalCase, snakeCase } from './naming.ts';
import { betterAuthColumn } from '../auth/better-auth-columns.ts';

test('collection and action names become operation-id parts', () => {
  assert.equal(pascalCase('job-photos'), 'JobPhotos');
  assert.equal(pascalCase('price_proposal'), 'PriceProposal');
  assert.equal(camelCase('rotate-secret'), 'rotateSecret');
  assert.equal(camelCase('customers'), 'customers');
});

test('operation ids and Better Auth fields become snake_case, acronyms kept whole', () => {
  assert.equal(snakeCase('listCustomers'), 'list_customers');
  assert.equal(snakeCase('createOAuthClient'), 'create_oauth_client');
  assert.equal(snakeCase('requirePKCE'), 'require_pkce');
  assert.equal(snakeCase('job-photos'), 'job_photos');
  assert.equal(snakeCase('accessTokenExpiresAt'), 'access_token_expires_at');
});

test("Better Auth's user is our person", () => {
  assert.equal(betterAuthColumn('userId'), 'person_id');
  assert.equal(betterAuthColumn('emailVerified'), 'email_verified');
});
