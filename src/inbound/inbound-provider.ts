// What an inbound webhook provider is: how its requests prove where they come from, and what
// its events change in the account. The route, the log and the idempotency are shared.
import type { OperationContext } from '../platform/contract.ts';

/** An authentic event, as the provider identifies it (the id is its idempotency key). */
export interface VerifiedInbound {
  id: string;
  type: string;
  payload: any;
}

/** What applying an event did: `ignored` is a success that changed nothing (not ours, already done). */
export interface InboundOutcome {
  outcome: 'applied' | 'ignored';
  detail: string;
  /** Ids of the objects created or changed. */
  objects: string[];
}

/** Thrown by `verify`: the request is not from the provider (or too old); the message says why. */
export class InboundVerificationError extends Error {}

export interface InboundProvider {
  name: string;
  /** For the docs: what the provider sends and what it changes. */
  description: string;
  /** What `signing_secret` is for this provider. */
  secretDescription: string;
  /** The secret's shape, checked when a source is created or its secret changed; null when fine. */
  secretProblem(secret: string): string | null;
  /** Throws InboundVerificationError unless the body is authentic. */
  verify(rawBody: string, headers: Headers, secret: string): VerifiedInbound;
  /** Inside the account's transaction; an ApiError rolls it back and answers 422. */
  apply(ctx: OperationContext, event: VerifiedInbound): Promise<InboundOutcome>;
}

export const ignored = (detail: string): InboundOutcome => ({ outcome: 'ignored', detail, objects: [] });
