// A list from the customer API, reloadable after a change.
import { useCallback, useEffect, useState } from 'react';
import { api } from './customer-api.ts';

export function useList<T>(path: string): { rows: T[] | null; reload: () => void } {
  const [rows, setRows] = useState<T[] | null>(null);
  const reload = useCallback(() => {
    api<{ data: T[] }>('GET', path)
      .then((page) => setRows(page.data))
      .catch(() => setRows([]));
  }, [path]);
  useEffect(reload, [reload]);
  return { rows, reload };
}
