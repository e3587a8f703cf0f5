// Mounted only with a read replica (DATABASE_REPLICA_URL): a GET request's list, export, search
// and analytics reads may go to the replica, as its caller (the credential: rateSubject); any
// other request by a caller keeps that caller's reads on the primary for the sticky window,
// noted before the answer leaves, so the caller's next read sees what it just wrote.
import type { MiddlewareHandler } from 'hono';
import type { ReadReplica } from '../db/read-replica.ts';
import { asReader } from '../platform/operations/tenant-read.ts';
import { rateSubject } from '../platform/operations/principal.ts';

export function replicaReads(replica: ReadReplica): MiddlewareHandler {
  return async function routeReads(c, next) {
    const method = c.req.method;
    if (method === 'GET' || method === 'HEAD') {
      const caller = () => {
        const principal = c.get('principal');
        return principal ? rateSubject(principal) : undefined;
      };
      return asReader(caller, next);
    }
    await next();
    const principal = c.get('principal');
    if (principal) await replica.noteWrite(rateSubject(principal));
  };
}
