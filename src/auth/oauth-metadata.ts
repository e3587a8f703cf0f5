// The authorization server's metadata (RFC 8414): Better Auth's, with what is ours added. It
// names only what this server does: the registration endpoint is ours (oauth-registration.ts).
import type { Runtime } from '../platform/contract.ts';
import { peopleAuth } from './auth-services.ts';
import { REGISTRATION_PATH } from './oauth-registration.ts';

export async function authorizationServerMetadata(runtime: Runtime): Promise<Record<string, unknown>> {
  const metadata: Record<string, unknown> = { ...(await runtime.use(peopleAuth).api.getOAuthServerConfig()) };
  return { ...metadata, registration_endpoint: `${runtime.options.publicUrl}${REGISTRATION_PATH}` };
}
