// Where the request being served came from, for the audit entries its operation writes: set once
// around each HTTP operation (src/http/mount-operations.ts), read by recordAudit deep inside any
// transaction without threading it through every operation and worker.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestOrigin {
  requestId: string;
  ip: string | null;
  userAgent: string | null;
}

const current = new AsyncLocalStorage<RequestOrigin>();

/** Runs `work` as the serving of the request `origin` describes. */
export function withRequestOrigin<T>(origin: RequestOrigin, work: () => Promise<T>): Promise<T> {
  return current.run(origin, work);
}

/** The request being served; undefined in workers and other background work. */
export function requestOrigin(): RequestOrigin | undefined {
  return current.getStore();
}
