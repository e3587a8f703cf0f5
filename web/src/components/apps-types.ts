// The OAuth shapes the portal shows, as the SDK types them.
import type { fieldline } from '../api.ts';

export type OAuthApp = Awaited<ReturnType<typeof fieldline.oauth.listClients>>[number];
export type RegisteredApp = Awaited<ReturnType<typeof fieldline.oauth.createClient>>;
export type ConnectedApp = Awaited<ReturnType<typeof fieldline.oauth.listConnectedApps>>[number];

/** OAuth apps get single scopes: the wildcards stay with API keys. */
export const isWildcardScope = (scope: string) => scope.endsWith(':*');
