// Who is calling: the account their credential is bound to, and what it may do.
export interface Principal {
  accountId: string;
  /** The API key id, when the credential is an API key. */
  keyId?: string;
  scopes: ReadonlySet<string>;
}

/** `read:customers` is granted by itself or by `read:*`. */
export function hasScope(principal: Principal, scope: string): boolean {
  if (principal.scopes.has(scope)) return true;
  const verb = scope.slice(0, scope.indexOf(':'));
  return principal.scopes.has(`${verb}:*`);
}
