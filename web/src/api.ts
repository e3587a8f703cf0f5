// The portal's one API client: the TypeScript SDK, authenticated by the session cookie. Every
// call the portal makes is a public /v1 call an integrator could make with the same SDK.
import { Fieldline } from '../../sdk/typescript/src/client.ts';
import { FieldlineError } from '../../sdk/typescript/src/errors.ts';
import type { components } from '../../sdk/typescript/src/generated/openapi.ts';

export const fieldline = new Fieldline({
  browserSession: 'same-origin',
  baseUrl: window.location.origin,
  maxRetries: 1,
});

/** A schema of the OpenAPI document by name, e.g. `Schema<'ApiKey'>`. */
export type Schema<Name extends keyof components['schemas']> = components['schemas'][Name];

export { FieldlineError };

/** The problem's words for a person: detail, else title, else the error's message. */
export function problemText(error: unknown): string {
  if (error instanceof FieldlineError) return error.detail || error.title;
  return error instanceof Error ? error.message : String(error);
}

/** `401`: the session ended (signed out elsewhere, expired, removed from the account). */
export function isSignedOut(error: unknown): boolean {
  return error instanceof FieldlineError && error.status === 401;
}

/** The JSON body of a 2xx answer from `fieldline.request` (paths the typed methods do not cover). */
export async function requestJson<T>(
  method: string,
  path: string,
  init: { query?: Record<string, unknown>; body?: unknown } = {},
): Promise<T> {
  const response = await fieldline.request(method, path, init);
  return (await response.json()) as T;
}
