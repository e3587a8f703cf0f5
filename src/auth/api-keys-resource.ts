// API keys, managed through the API: create (the secret is answered once), list and read
// (prefix and last four characters only), rename or rescope, revoke, rotate with a grace
// period. A key can never grant more than the credential that creates or rescopes it holds;
// only a credential holding all of a key's scopes may change, revoke or rotate it; and an
// account always keeps one active key that can manage keys (until people can sign in, a key
// is the only way back in).
import { defineResource } from '../platform/resource/define-resource.ts';
import { field } from '../platform/resource/fields.ts';
import { ApiError, validationFailed, type FieldError } from '../platform/errors.ts';
import { hasScope } from '../platform/operations/principal.ts';
import { applyChanges } from '../platform/operations/update.ts';
import { serialize } from '../platform/operations/serialize.ts';
import { previousSecretExpiry, rotationInput } from '../platform/secret-rotation.ts';
import { KEY_MODES, keyChangeNotice, keySecretInsert, mintKeySecret } from './api-keys.ts';
import { apiKeyVerifier, credentialVersions } from './auth-services.ts';
import { assertWithinPlan, KeyRateLimits } from './api-key-rate-limits.ts';
import type { OperationContext } from '../platform/contract.ts';

const MANAGES_KEYS = ['write:*', 'write:api-keys'];

/** Every node stops trusting what it cached about the key: this one at once, the others from their next request. */
function announceKeyChange(ctx: OperationContext, keyId: string): void {
  ctx.runtime.find(apiKeyVerifier)?.forgetKey(keyId);
  ctx.tx.defer(keyChangeNotice(keyId));
  ctx.tx.afterCommit(async () => ctx.runtime.find(credentialVersions)?.bump([`key:${keyId}`]));
}

function scopeProblems(row: { scopes: readonly string[] }, ctx: OperationContext): FieldError[] {
  const known = new Set(ctx.registry.scopes());
  const problems: FieldError[] = [];
  row.scopes.forEach((scope, i) => {
    if (!known.has(scope))
      problems.push({
        path: `scopes.${i}`,
        message: `'${scope}' is not a scope (the OpenAPI document lists them under x-fieldline-scopes)`,
      });
  });
  if (!row.scopes.length) problems.push({ path: 'scopes', message: 'name at least one scope' });
  if (problems.length) return problems;
  const beyondCaller = row.scopes.filter((scope) => !hasScope(ctx.principal, scope));
  if (beyondCaller.length) {
    throw new ApiError(
      'insufficient_scope',
      `A key cannot be given scopes your own credential lacks: ${beyondCaller.join(', ')}`,
      { scopes: beyondCaller },
    );
  }
  return [];
}

/**
 * Refuses a change after which no active, non-expiring key of the account could manage keys.
 * Changes that could remove a manager take a per-account lock first, so two of them (revoking
 * the only two managers at once) see each other's outcome instead of both passing the check.
 */
async function assertAnotherKeyManager(ctx: OperationContext, keyId: string): Promise<void> {
  await ctx.tx.query({
    sql: "SELECT pg_advisory_xact_lock(hashtext('fieldline_key_managers:' || $1))",
    parameters: [ctx.tx.accountId],
  });
  const [other] = await ctx.tx.query({
    sql: `SELECT id FROM api_keys WHERE id <> $1 AND status = 'active' AND expires_at IS NULL AND scopes && $2::text[]
          LIMIT 1`,
    parameters: [keyId, MANAGES_KEYS],
  });
  if (!other) {
    throw new ApiError(
      'conflict',
      "This is the account's last active key without expiry that can " +
        'manage keys (write:api-keys or write:*); create another one first',
    );
  }
}

/** Only a credential holding every scope of a key may rescope, revoke or rotate it (rotating hands out its power). */
function assertCallerCovers(ctx: OperationContext, key: { scopes: readonly string[] }, what: string): void {
  const beyondCaller = key.scopes.filter((scope) => !hasScope(ctx.principal, scope));
  if (beyondCaller.length) {
    throw new ApiError(
      'insufficient_scope',
      `Only a credential holding every scope of this key may ${what} it; yours lacks ${beyondCaller.join(', ')}`,
      { scopes: beyondCaller },
    );
  }
}

const canManageKeys = (scopes: readonly string[]) => scopes.some((scope) => MANAGES_KEYS.includes(scope));

export const apiKeys = defineResource({
  name: 'api_key',
  collection: 'api-keys',
  idPrefix: 'key',
  description:
    'A secret that authenticates server-to-server calls as the account ' +
    '(`Authorization: Bearer fl_live_...`), limited to its scopes. ' +
    'Only a hash is stored: the secret is answered once, on create and on rotate.',
  // Keys are revoked, not deleted, so the audit trail and request logs keep naming them.
  operations: ['list', 'get', 'create', 'update', 'export'],
  limitedBecause:
    'A key is revoked or rotated through its actions (keeping the record), not deleted; ' +
    'keys are made one at a time so each secret is shown once.',
  lifecycle: { field: 'status', updatableIn: ['active'] },
  fields: {
    name: field.text({ min: 1, max: 200 }).required().searchable().sortable().example('Zapier integration'),
    mode: field
      .enum(KEY_MODES)
      .default('live')
      .createOnly()
      .filterable()
      .describe(
        '`live` keys act in the account; `test` keys (`fl_test_...`) act in its sandbox, separate data where ' +
          'nothing reaches a real person or provider (README "Test mode"). Absent: `live`, as keys made ' +
          'before test mode existed reached the account data.',
      ),
    scopes: field
      .tags()
      .required()
      .filterable()
      .describe(
        'What the key may do (`read:customers`, `write:jobs`, `read:*`, ...; see `x-fieldline-scopes`): ' +
          'at most what the credential creating it holds.',
      )
      .example(['read:customers', 'write:jobs']),
    expires_at: field
      .datetime()
      .createOnly()
      .describe('When the key stops working (in the future); absent: never.')
      .example('2099-12-31T23:59:59.000Z'),
    prefix: field
      .text()
      .readOnly()
      .describe(
        'The first characters of the secret (`fl_live_` and 12 more): ' +
          'enough to recognise the key, useless to call with.',
      ),
    last4: field.text().readOnly().describe('The last four characters of the secret.'),
    status: field.enum(['active', 'revoked']).readOnly().default('active').filterable(),
    revoked_at: field.datetime().readOnly(),
    rate_limits: field.json(KeyRateLimits).example({ read: { limit: 120, window_seconds: 60 } }),
    last_used_at: field
      .datetime()
      .readOnly()
      .describe('When the key last authenticated a request (recorded at most once a minute).'),
  },
  revealedOnCreate: {
    secret: 'The key (`fl_{mode}_...`). Shown only here and by rotate: store it now.',
  },
  hooks: {
    compute: (row) => ({ scopes: [...new Set(row.scopes)] }),
    validate: async ({ row, previous, ctx }) => {
      if (previous) assertCallerCovers(ctx, previous, 'change');
      const problems = scopeProblems(row, ctx);
      if (!previous && row.expires_at && Date.parse(row.expires_at) <= Date.parse(ctx.now))
        problems.push({ path: 'expires_at', message: 'must be in the future' });
      if (problems.length) throw validationFailed(problems);
      assertWithinPlan(row.rate_limits, ctx.principal.plan);
      if (previous && canManageKeys(previous.scopes) && !canManageKeys(row.scopes))
        await assertAnotherKeyManager(ctx, row.id);
    },
    // New scopes apply to the next request, on every node.
    afterUpdate: async ({ row, ctx }) => announceKeyChange(ctx, row.id),
    beforeCreate: async ({ row, ctx }) => {
      const minted = mintKeySecret(row.mode);
      row.prefix = minted.prefix;
      row.last4 = minted.last4;
      ctx.reveal('secret', minted.secret);
    },
    // After the key's own insert (deferred statements run in order): the secret refers to it.
    afterCreate: async ({ row, ctx }) =>
      ctx.tx.defer(keySecretInsert(row.id, ctx.tx.accountId, ctx.revealed.secret as string, ctx.now)),
  },
  actions: {
    revoke: {
      summary: 'Revoke the key',
      description:
        'The key is refused from its next request on, on every node. ' +
        'Revoked keys stay listed (with `revoked_at`) and cannot be restored.',
      from: ['active'],
      to: 'revoked',
      event: 'revoked',
      apply: async ({ row, ctx }) => {
        assertCallerCovers(ctx, row, 'revoke');
        if (canManageKeys(row.scopes)) await assertAnotherKeyManager(ctx, row.id);
        announceKeyChange(ctx, row.id);
        return { revoked_at: ctx.now };
      },
    },
    rotate: {
      summary: 'Rotate the secret',
      description:
        'Answers with a new secret for the same key (same id, name and scopes). ' +
        'The previous secret keeps working for `expire_previous_in_seconds` ' +
        '(24 hours unless said otherwise, at most 7 days; 0 ends it now).',
      from: ['active'],
      input: rotationInput,
      reveals: {
        secret: 'The new key. Shown only here: store it now.',
        previous_secret_expires_at: 'When the previous secret stops working.',
      },
      run: async ({ row, input, ctx }) => {
        assertCallerCovers(ctx, row, 'rotate');
        const expiresAt = previousSecretExpiry(ctx.now, input);
        ctx.tx.defer({
          sql:
            'UPDATE api_key_secrets SET expires_at = $2 ' +
            'WHERE key_id = $1 AND (expires_at IS NULL OR expires_at > $2)',
          parameters: [row.id, expiresAt],
        });
        const minted = mintKeySecret(row.mode);
        ctx.tx.defer(keySecretInsert(row.id, ctx.tx.accountId, minted.secret, ctx.now));
        announceKeyChange(ctx, row.id);
        const keys = ctx.registry.get('api-keys');
        const rotated = applyChanges(ctx, keys, row, { prefix: minted.prefix, last4: minted.last4 }, 'api_key.updated');
        return {
          data: { ...serialize(keys, rotated), secret: minted.secret, previous_secret_expires_at: expiresAt },
        };
      },
    },
  },
});
