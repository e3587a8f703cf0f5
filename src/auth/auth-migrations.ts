// Versioned migrations of people, sessions, API key secrets, invitations and the OAuth 2.0
// server's tables (src/auth).
// Ids are global: every module's migrations apply in id order (src/platform/api/build-api.ts).
import { TENANT_ROLE } from '../db/tenant-transaction.ts';
import { rowLevelSecurity } from '../platform/ddl/resource-ddl.ts';
import type { Migration } from '../db/migrate.ts';

export const AUTH_MIGRATIONS: readonly Migration[] = [
  {
    id: '0006_managed_api_keys',
    statements: [
      // A key's secrets move to their own table so a rotated key can answer to two secrets
      // (the new one, and the old one until its grace period ends); api_keys becomes the
      // api-keys resource's table (src/auth/api-keys-resource.ts).
      `ALTER TABLE api_keys ADD CONSTRAINT api_keys_account_id_id_key UNIQUE (account_id, id)`,
      `CREATE TABLE api_key_secrets (
         lookup text PRIMARY KEY,
         key_id text NOT NULL,
         account_id text NOT NULL REFERENCES accounts (id),
         secret_hash bytea NOT NULL,
         created_at timestamptz NOT NULL,
         expires_at timestamptz,
         FOREIGN KEY (account_id, key_id) REFERENCES api_keys (account_id, id)
       )`,
      `CREATE INDEX api_key_secrets_key_idx ON api_key_secrets (key_id)`,
      `INSERT INTO api_key_secrets (lookup, key_id, account_id, secret_hash, created_at)
       SELECT lookup, id, account_id, secret_hash, created_at FROM api_keys`,
      ...rowLevelSecurity('api_key_secrets'),
      `GRANT SELECT, INSERT, UPDATE ON api_key_secrets TO ${TENANT_ROLE}`,
      `ALTER TABLE api_keys ADD COLUMN prefix text`,
      `UPDATE api_keys SET prefix = 'fl_' || mode || '_' || lookup`,
      `ALTER TABLE api_keys ALTER COLUMN prefix SET NOT NULL`,
      `ALTER TABLE api_keys ADD COLUMN status text NOT NULL DEFAULT 'active'`,
      `UPDATE api_keys SET status = 'revoked' WHERE revoked_at IS NOT NULL`,
      `ALTER TABLE api_keys ALTER COLUMN status DROP DEFAULT`,
      `ALTER TABLE api_keys ADD COLUMN updated_at timestamptz`,
      `UPDATE api_keys SET updated_at = coalesce(revoked_at, created_at)`,
      `ALTER TABLE api_keys ALTER COLUMN updated_at SET NOT NULL`,
      // Nodes of the previous release still read these during a rolling upgrade (keys made before
      // it keep working there); a later migration drops them. New keys leave them empty.
      `ALTER TABLE api_keys ALTER COLUMN lookup DROP NOT NULL`,
      `ALTER TABLE api_keys ALTER COLUMN secret_hash DROP NOT NULL`,
    ],
  },
  {
    id: '0010_people',
    statements: [
      // People who sign in, their sign-in methods and sessions, and one-time tokens: Better
      // Auth's tables in our naming (src/auth/people-auth.ts). Not tenant data: a person may
      // belong to several accounts; membership is the users resource's person_id.
      `CREATE TABLE people (id text PRIMARY KEY, name text NOT NULL, email text NOT NULL UNIQUE, ` +
        `email_verified boolean NOT NULL,
        image text, created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now())`,
      `CREATE TABLE sessions (id text PRIMARY KEY, token text NOT NULL UNIQUE, ` +
        `person_id text NOT NULL REFERENCES people (id) ON DELETE CASCADE,
        active_account_id text REFERENCES accounts (id) ON DELETE SET NULL, expires_at timestamptz NOT NULL, ` +
        `ip_address text, user_agent text,
        created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL)`,
      `CREATE INDEX sessions_person_id_idx ON sessions (person_id)`,
      `CREATE TABLE credentials (id text PRIMARY KEY, provider_account_id text NOT NULL, provider_id text NOT NULL,
        person_id text NOT NULL REFERENCES people (id) ON DELETE CASCADE, access_token text, refresh_token text, ` +
        `id_token text,
        access_token_expires_at timestamptz, refresh_token_expires_at timestamptz, scope text, password text,
        created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL)`,
      `CREATE INDEX credentials_person_id_idx ON credentials (person_id)`,
      `CREATE TABLE verifications (id text PRIMARY KEY, identifier text NOT NULL, value text NOT NULL, ` +
        `expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now())`,
      `CREATE INDEX verifications_identifier_idx ON verifications (identifier)`,
      // A member's invitation to sign in (src/auth/invitations.ts): only the token's hash is kept.
      `CREATE TABLE member_invitations (token_hash bytea PRIMARY KEY, account_id text NOT NULL REFERENCES accounts (id),
        user_id text NOT NULL, expires_at timestamptz NOT NULL, created_at timestamptz NOT NULL)`,
      `CREATE INDEX member_invitations_user_idx ON member_invitations (account_id, user_id)`,
      ...rowLevelSecurity('member_invitations'),
      `GRANT SELECT, INSERT, DELETE ON member_invitations TO ${TENANT_ROLE}`,
    ],
  },
  {
    id: '0011_oauth',
    statements: [
      // The OAuth 2.0 server's clients, grants (consents) and tokens: Better Auth's oauth-provider
      // tables in our naming (src/auth/oauth-provider.ts); generated by its getMigrations, then
      // reference_id made a foreign key: the account a client belongs to or a grant acts in.
      // Tokens and client secrets are stored hashed or encrypted, never as issued.
      `CREATE TABLE oauth_clients (id text NOT NULL PRIMARY KEY, client_id text NOT NULL UNIQUE, client_secret text,
        client_discovery_id text, disabled boolean, skip_consent boolean, enable_end_session boolean, ` +
        `subject_type text, scopes jsonb,
        client_credentials_scopes jsonb, person_id text REFERENCES people (id) ON DELETE CASCADE, ` +
        `created_at timestamptz,
        updated_at timestamptz, name text, uri text, icon text, contacts jsonb, tos text, policy text, software_id text,
        software_version text, software_statement text, redirect_uris jsonb NOT NULL, post_logout_redirect_uris jsonb,
        backchannel_logout_uri text, backchannel_logout_session_required boolean, token_endpoint_auth_method text,
        application_type text, jwks text, jwks_uri text, grant_types jsonb, response_types jsonb, require_pkce boolean,
        dpop_bound_access_tokens boolean, reference_id text REFERENCES accounts (id) ON DELETE CASCADE, ` +
        `metadata jsonb)`,
      `CREATE TABLE oauth_resources (id text NOT NULL PRIMARY KEY, identifier text NOT NULL UNIQUE, name text NOT NULL,
        access_token_ttl integer, refresh_token_ttl integer, signing_algorithm text, signing_key_id text, ` +
        `allowed_scopes jsonb,
        custom_claims jsonb, dpop_bound_access_tokens_required boolean, disabled boolean, created_at timestamptz,
        updated_at timestamptz, policy_version integer, metadata jsonb)`,
      `CREATE TABLE oauth_client_resources (id text NOT NULL PRIMARY KEY,
        client_id text NOT NULL REFERENCES oauth_clients (client_id) ON DELETE CASCADE,
        resource_id text NOT NULL REFERENCES oauth_resources (identifier) ON DELETE CASCADE, metadata jsonb, ` +
        `created_at timestamptz)`,
      `CREATE TABLE oauth_refresh_tokens (id text NOT NULL PRIMARY KEY, token text NOT NULL UNIQUE,
        client_id text NOT NULL REFERENCES oauth_clients (client_id) ON DELETE CASCADE,
        session_id text REFERENCES sessions (id) ON DELETE SET NULL, ` +
        `person_id text NOT NULL REFERENCES people (id) ON DELETE CASCADE,
        reference_id text REFERENCES accounts (id) ON DELETE CASCADE, authorization_code_id text, resources jsonb,
        requested_user_info_claims jsonb, expires_at timestamptz NOT NULL, created_at timestamptz NOT NULL, ` +
        `revoked timestamptz,
        rotated_at timestamptz, rotation_replay_response text, rotation_replay_expires_at timestamptz, ` +
        `auth_time timestamptz,
        confirmation jsonb, scopes jsonb NOT NULL)`,
      `CREATE TABLE oauth_access_tokens (id text NOT NULL PRIMARY KEY, token text NOT NULL UNIQUE,
        client_id text NOT NULL REFERENCES oauth_clients (client_id) ON DELETE CASCADE,
        session_id text REFERENCES sessions (id) ON DELETE SET NULL, ` +
        `person_id text REFERENCES people (id) ON DELETE CASCADE,
        reference_id text REFERENCES accounts (id) ON DELETE CASCADE, authorization_code_id text, resources jsonb,
        requested_user_info_claims jsonb, refresh_id text REFERENCES oauth_refresh_tokens (id) ON DELETE CASCADE,
        expires_at timestamptz NOT NULL, created_at timestamptz NOT NULL, revoked timestamptz, confirmation jsonb,
        scopes jsonb NOT NULL)`,
      `CREATE TABLE oauth_consents (id text NOT NULL PRIMARY KEY,
        client_id text NOT NULL REFERENCES oauth_clients (client_id) ON DELETE CASCADE,
        person_id text REFERENCES people (id) ON DELETE CASCADE, ` +
        `reference_id text REFERENCES accounts (id) ON DELETE CASCADE,
        resources jsonb, requested_user_info_claims jsonb, scopes jsonb NOT NULL, created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL)`,
      `CREATE TABLE oauth_client_assertions (id text NOT NULL PRIMARY KEY, expires_at timestamptz NOT NULL)`,
      `CREATE INDEX oauth_clients_person_id_idx ON oauth_clients (person_id)`,
      `CREATE INDEX oauth_client_resources_client_id_idx ON oauth_client_resources (client_id)`,
      `CREATE INDEX oauth_client_resources_resource_id_idx ON oauth_client_resources (resource_id)`,
      `CREATE INDEX oauth_refresh_tokens_client_id_idx ON oauth_refresh_tokens (client_id)`,
      `CREATE INDEX oauth_refresh_tokens_session_id_idx ON oauth_refresh_tokens (session_id)`,
      `CREATE INDEX oauth_refresh_tokens_person_id_idx ON oauth_refresh_tokens (person_id)`,
      `CREATE INDEX oauth_refresh_tokens_authorization_code_id_idx ON oauth_refresh_tokens (authorization_code_id)`,
      `CREATE INDEX oauth_access_tokens_client_id_idx ON oauth_access_tokens (client_id)`,
      `CREATE INDEX oauth_access_tokens_session_id_idx ON oauth_access_tokens (session_id)`,
      `CREATE INDEX oauth_access_tokens_person_id_idx ON oauth_access_tokens (person_id)`,
      `CREATE INDEX oauth_access_tokens_authorization_code_id_idx ON oauth_access_tokens (authorization_code_id)`,
      `CREATE INDEX oauth_access_tokens_refresh_id_idx ON oauth_access_tokens (refresh_id)`,
      `CREATE INDEX oauth_consents_client_id_idx ON oauth_consents (client_id)`,
      `CREATE INDEX oauth_consents_person_id_idx ON oauth_consents (person_id)`,
      `CREATE UNIQUE INDEX oauth_client_resources_client_id_resource_id_uidx ` +
        `ON oauth_client_resources (client_id, resource_id)`,
      `CREATE INDEX oauth_clients_reference_id_idx ON oauth_clients (reference_id)`,
      `CREATE INDEX oauth_access_tokens_reference_id_idx ON oauth_access_tokens (reference_id)`,
      `CREATE INDEX oauth_refresh_tokens_reference_id_idx ON oauth_refresh_tokens (reference_id)`,
      `CREATE INDEX oauth_consents_reference_id_idx ON oauth_consents (reference_id)`,
      // However a token stops (revoked, its refresh family invalidated, its client or person
      // deleted), every node's cache hears it at commit (src/auth/oauth-tokens.ts).
      `CREATE FUNCTION oauth_access_token_ended() RETURNS trigger LANGUAGE plpgsql AS $fn$
       BEGIN PERFORM pg_notify('fieldline_api_keys', 'oauth-token:' || OLD.token); RETURN NULL; END $fn$`,
      `CREATE TRIGGER oauth_access_tokens_ended AFTER DELETE OR UPDATE OF revoked ON oauth_access_tokens
       FOR EACH ROW EXECUTE FUNCTION oauth_access_token_ended()`,
    ],
  },
  {
    id: '0012_app_origins_and_delivery_quota',
    statements: [
      // Browser origins an OAuth app's tokens may be used from, besides its account's (src/http/cors.ts).
      `ALTER TABLE oauth_clients ADD COLUMN allowed_origins text[] NOT NULL DEFAULT '{}'`,
      // The webhook delivery quota warns once a month, like the request quota (src/limits/monthly-quota.ts).
      `ALTER TABLE usage_counters ADD COLUMN webhook_deliveries_warned_at timestamptz`,
    ],
  },
  {
    id: '0028_hashed_session_tokens',
    statements: [
      // Sessions keep their token's SHA-256 only (session-token-hashing.ts): existing ones too.
      `UPDATE sessions SET token = encode(sha256(convert_to(token, 'UTF8')), 'hex')`,
    ],
  },
];
