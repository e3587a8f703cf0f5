// The account's API keys by id, for naming the key behind a request (logs, usage) and for the
// "API key" filters. The 100 newest keys, revoked ones included: their requests stay logged.
import { useMemo } from 'react';
import { fieldline, type Schema } from '../api.ts';
import { useQuery } from '../use-query.ts';

type ApiKey = Schema<'ApiKey'>;

export interface KeyNames {
  keys: ApiKey[];
  loading: boolean;
  error: unknown;
  /** "Zapier (fl_test_ab12…9f2e)", or the id itself for a key not among the 100 newest. */
  nameOf(id: string | null | undefined): string;
  /** "Zapier": the name alone, for narrow columns (nameOf for a title). */
  shortNameOf(id: string | null | undefined): string;
}

export function keyLabel(key: Pick<ApiKey, 'name' | 'prefix' | 'last4' | 'status'>): string {
  const hint = key.prefix || key.last4 ? ` (${key.prefix ?? ''}…${key.last4 ?? ''})` : '';
  return `${key.name}${hint}${key.status === 'revoked' ? ', revoked' : ''}`;
}

export function useKeyNames(): KeyNames {
  const query = useQuery(() => fieldline.apiKeys.list({ limit: 100 }), []);
  return useMemo(() => {
    const keys = query.data?.data ?? [];
    const byId = new Map(keys.map((key) => [key.id, key]));
    return {
      keys,
      loading: query.loading,
      error: query.error,
      nameOf: (id) => {
        if (!id) return 'No API key';
        const key = byId.get(id);
        return key ? keyLabel(key) : id;
      },
      shortNameOf: (id) => (id ? (byId.get(id)?.name ?? id) : 'No API key'),
    };
  }, [query.data, query.loading, query.error]);
}
