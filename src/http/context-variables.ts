// Typed per-request values shared by the middleware (Hono module augmentation).
import type { Principal } from '../platform/operations/principal.ts';
import type { OperatorIdentity, SessionIdentity } from '../platform/api/operation.ts';
import type { UploadedFile } from '../platform/api/upload.ts';

declare module 'hono' {
  interface ContextVariableMap {
    requestId: string;
    principal: Principal;
    /** The signed-in person's session, when the credential is one. */
    session: SessionIdentity | undefined;
    /** The platform operator, on `operator` routes. */
    operator: OperatorIdentity | undefined;
    /** The parsed JSON body of a write route (undefined when empty). */
    body: unknown;
    /** The file of a multipart upload route. */
    upload: UploadedFile | undefined;
    /** The body's bytes as received, for operations that read them whole (a signature, a protocol). */
    rawBody: Buffer | undefined;
    /** The route template matched (`/v1/jobs/{id}`), for logs and metrics. */
    routeTemplate: string;
    /** The problem details sent, when the request failed (for the request log). */
    problem: Record<string, unknown>;
    /** Size of the JSON body sent, when known. */
    bytesOut: number;
  }
}

export {};
