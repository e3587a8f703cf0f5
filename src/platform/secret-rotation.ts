// Rotating a secret (an API key, a webhook signing secret) without an outage: the new one
// works at once and the previous one keeps working for a grace period the caller picks.
import { z } from 'zod';

export const DEFAULT_ROTATION_GRACE_SECONDS = 86_400;
export const MAX_ROTATION_GRACE_SECONDS = 7 * 86_400;

export const rotationInput = z.strictObject({
  expire_previous_in_seconds: z
    .int()
    .min(0)
    .max(MAX_ROTATION_GRACE_SECONDS)
    .optional()
    .describe(
      `How long the previous secret keeps working: 0 (now) to ${MAX_ROTATION_GRACE_SECONDS} (7 days); ` +
        `default ${DEFAULT_ROTATION_GRACE_SECONDS} (24 hours).`,
    ),
});

/** When the previous secret stops working, for a rotation at `now`. */
export function previousSecretExpiry(now: string, input: z.infer<typeof rotationInput>): string {
  return new Date(
    Date.parse(now) + (input.expire_previous_in_seconds ?? DEFAULT_ROTATION_GRACE_SECONDS) * 1000,
  ).toISOString();
}
