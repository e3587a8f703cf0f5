// Loading state for API reads: the latest answer, its error, and reload(). A read started for
// old arguments never overwrites a newer one (fast typing in a filter box stays correct).
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Page } from '../../sdk/typescript/src/pagination.ts';

export interface Query<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload(): void;
}

export function useQuery<T>(load: () => Promise<T>, deps: readonly unknown[]): Query<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [generation, setGeneration] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    const ticket = ++latest.current;
    setState((previous) => ({ ...previous, loading: true }));
    load().then(
      (data) => {
        if (ticket === latest.current) setState({ data, loading: false });
      },
      (error) => {
        if (ticket === latest.current) setState({ error, loading: false });
      },
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

export interface CursorList<T> extends Query<Page<T>> {
  items: T[];
  /** 1 for the first page. */
  pageNumber: number;
  hasNext: boolean;
  hasPrevious: boolean;
  next(): void;
  previous(): void;
}

/**
 * One page of a cursor-paged list at a time, with Previous / Next. `fetchPage` gets the cursor
 * of the page to show (undefined: the first). Changing `deps` (a filter) starts again at page 1.
 */
export function useCursorList<T>(
  fetchPage: (cursor: string | undefined) => PromiseLike<Page<T>>,
  deps: readonly unknown[],
): CursorList<T> {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const key = JSON.stringify(deps);
  const [forKey, setForKey] = useState(key);
  if (forKey !== key) {
    setForKey(key);
    setCursors([undefined]);
  }
  const cursor = cursors[cursors.length - 1];
  const query = useQuery(() => Promise.resolve(fetchPage(cursor)), [key, cursor]);
  const page = query.data?.page;
  return {
    ...query,
    items: query.data?.data ?? [],
    pageNumber: cursors.length,
    hasNext: Boolean(page?.has_more && page.next_cursor),
    hasPrevious: cursors.length > 1,
    next: () => {
      if (page?.next_cursor) setCursors((c) => [...c, page.next_cursor!]);
    },
    previous: () => setCursors((c) => (c.length > 1 ? c.slice(0, -1) : c)),
  };
}
