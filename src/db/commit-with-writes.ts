// Lets a request attach statements to whatever tenant transaction its operation commits,
// without threading them through every operation: the idempotency middleware uses it so a
// key is marked "committed" atomically with the write it guards.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { SqlStatement } from './inline-parameters.ts';

const pending = new AsyncLocalStorage<readonly SqlStatement[]>();

/** Runs `work`; any tenant transaction it commits also commits `statements`. */
export function commitWithWrites<T>(statements: readonly SqlStatement[], work: () => Promise<T>): Promise<T> {
  return pending.run(statements, work);
}

export function statementsToCommitWithWrites(): readonly SqlStatement[] {
  return pending.getStore() ?? [];
}
