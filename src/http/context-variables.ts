// Typed per-request values shared by the middleware (Hono module augmentation).
import type { Principal } from '../platform/operations/principal.ts';

declare module 'hono' {
  interface ContextVariableMap {
    requestId: string;
    principal: Principal;
    /** The parsed JSON body of a write route (undefined when empty). */
    body: unknown;
  }
}

export {};
