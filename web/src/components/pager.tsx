// Previous / Next for a cursor-paged list (useCursorList).
import type { CursorList } from '../use-query.ts';

export function Pager({
  list,
  label = 'Pages',
}: {
  list: Pick<CursorList<unknown>, 'hasNext' | 'hasPrevious' | 'next' | 'previous' | 'pageNumber' | 'loading'>;
  label?: string;
}) {
  if (!list.hasNext && !list.hasPrevious) return null;
  return (
    <nav className="pager" aria-label={label}>
      <button type="button" onClick={list.previous} disabled={!list.hasPrevious || list.loading}>
        Previous
      </button>
      <span aria-live="polite">Page {list.pageNumber}</span>
      <button type="button" onClick={list.next} disabled={!list.hasNext || list.loading}>
        Next
      </button>
    </nav>
  );
}
