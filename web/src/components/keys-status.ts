// How an API key reads in the list: its state (active, expired, revoked) and its scopes in brief.
import type { Schema } from '../api.ts';

export type ApiKey = Schema<'ApiKey'>;

export function keyState(
  key: Pick<ApiKey, 'status' | 'expires_at'>,
  now = Date.now(),
): { label: string; className: string } {
  if (key.status === 'revoked') return { label: 'Revoked', className: 'badge badge-bad' };
  if (key.expires_at && Date.parse(key.expires_at) <= now) return { label: 'Expired', className: 'badge badge-warn' };
  return { label: 'Active', className: 'badge badge-good' };
}

/** "read:* + 2 more": the first scopes by name, the rest counted. */
export function scopeSummary(scopes: readonly string[], shown = 2): string {
  if (!scopes.length) return '—';
  const head = scopes.slice(0, shown).join(', ');
  return scopes.length > shown ? `${head} + ${scopes.length - shown} more` : head;
}

/** The visible part of a key: `fl_live_abc123…9f2e`. */
export function keyHint(key: Pick<ApiKey, 'prefix' | 'last4'>): string {
  return `${key.prefix ?? ''}…${key.last4 ?? ''}`;
}
