// A key's own request rates (`rate_limits` on the API-key resource): lower than its plan's for an
// integration that should not crowd out the others, never above the plan's ceiling. Stored in
// `api_keys.rate_limits`; the gate reads them with the key (src/limits/plans.ts effectiveRates).
import { z } from 'zod';
import { RATE_BUCKETS, type Plan, type RateBucket } from '../platform/api/traffic.ts';
import { badRequest, type FieldError } from '../platform/errors.ts';
import type { RateLimitOverrides } from '../limits/plans.ts';

/** A day: longer windows are not a rate any more. */
const MAX_WINDOW_SECONDS = 86_400;

const BucketLimit = z
  .strictObject({
    limit: z.int().min(1).max(10_000_000).optional().describe('Requests allowed per window.'),
    window_seconds: z.int().min(1).max(MAX_WINDOW_SECONDS).optional().describe('The window, in seconds.'),
  })
  .refine((bucket) => bucket.limit !== undefined || bucket.window_seconds !== undefined, {
    message: 'give limit, window_seconds or both',
  });

export const KeyRateLimits = z
  .strictObject(
    Object.fromEntries(RATE_BUCKETS.map((bucket) => [bucket, BucketLimit.optional()])) as Record<
      RateBucket,
      z.ZodOptional<typeof BucketLimit>
    >,
  )
  .describe(
    "The key's own rates per bucket (`read`, `write`, `expensive`), each `{limit, window_seconds}`; a bucket or " +
      "member left out keeps the plan's. At most the plan's rate (its ceiling); owners and admins set them, and " +
      'they apply from the key’s next request. Null: the plan’s rates.',
  );

/**
 * Refuses (400, naming the ceiling) rates above the plan's: more requests in a window than the plan
 * allows in its own, or a faster pace over a longer window.
 */
export function assertWithinPlan(overrides: RateLimitOverrides | null | undefined, plan: Plan): void {
  if (!overrides) return;
  const problems: FieldError[] = [];
  for (const bucket of RATE_BUCKETS) {
    const override = overrides[bucket];
    if (!override) continue;
    const ceiling = plan.rates[bucket];
    const limit = override.limit ?? ceiling.limit;
    const window = override.window_seconds ?? ceiling.windowSeconds;
    if (limit > ceiling.limit || limit / window > ceiling.limit / ceiling.windowSeconds)
      problems.push({
        path: `rate_limits.${bucket}`,
        message:
          `${limit} requests per ${window} s is above the '${plan.name}' plan's ceiling of ` +
          `${ceiling.limit} per ${ceiling.windowSeconds} s`,
      });
  }
  if (problems.length)
    throw badRequest(`rate_limits: above the plan's ceiling (${problems.map((p) => p.message).join('; ')})`, problems);
}
