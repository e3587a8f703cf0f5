// Pages through a list the API answers whole (OAuth apps, connected apps, sessions), shaped for
// <Pager> like a cursor list.
import { useState } from 'react';

export function useLocalPages<T>(items: readonly T[], size = 20) {
  const [wanted, setWanted] = useState(0);
  const last = Math.max(0, Math.ceil(items.length / size) - 1);
  const page = Math.min(wanted, last);
  return {
    items: items.slice(page * size, (page + 1) * size),
    pageNumber: page + 1,
    hasNext: page < last,
    hasPrevious: page > 0,
    loading: false,
    next: () => setWanted(Math.min(page + 1, last)),
    previous: () => setWanted(Math.max(page - 1, 0)),
  };
}
