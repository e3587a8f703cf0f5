// The services the auth module provides, by key, and the options it reads.
import type { AllowedOriginsDirectory } from './allowed-origins.ts';
import type { ApiKeyVerifier } from './api-keys.ts';
import type { CredentialVersions } from './credential-versions.ts';
import type { OAuthTokenVerifier } from './oauth-tokens.ts';
import type { PeopleAuth } from './people-auth.ts';
import type { SessionVerifier } from './session-verifier.ts';
import { serviceKey } from '../platform/api/service-key.ts';

declare module '../platform/contract.ts' {
  interface RuntimeOptions {
    /** How long a node trusts a verified credential it has not heard change (keys, sessions, tokens); default 60 s. */
    credentialCacheTtlMs?: number;
  }
}

/** People, their sessions and the OAuth 2.0 server: Better Auth. */
export const peopleAuth = serviceKey<PeopleAuth>('people and sessions (Better Auth)');
export const apiKeyVerifier = serviceKey<ApiKeyVerifier>('API key verification');
export const sessionVerifier = serviceKey<SessionVerifier>('session verification');
export const oauthTokenVerifier = serviceKey<OAuthTokenVerifier>('OAuth access token verification');
/** Every origin an account or app allows (CORS); told when one changes on this node. */
export const allowedOrigins = serviceKey<AllowedOriginsDirectory>('the allowed origins directory');
/** Versions of credentials in Redis: a change through one node applies to the next request on every node. */
export const credentialVersions = serviceKey<CredentialVersions>('credential versions');
