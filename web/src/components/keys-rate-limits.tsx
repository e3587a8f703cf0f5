// A key's own rate limits (`rate_limits`): per bucket, requests per window, empty for the plan's.
// The plan's ceiling is shown beside each bucket, read from GET /v1/rate-limit: a portal session's
// rates are the plan's own. The API refuses rates above it (400 naming it); the form shows that answer.
import { fieldline } from '../api.ts';
import { useQuery } from '../use-query.ts';
import { TextField } from './form-fields.tsx';
import { formatNumber } from './format.ts';
import { ProblemNotice } from './problem-notice.tsx';

export const RATE_BUCKETS = ['read', 'write', 'expensive'] as const;
export type RateBucket = (typeof RATE_BUCKETS)[number];
export type RateLimitsValue = Partial<Record<RateBucket, { limit?: number; window_seconds?: number }>>;
/** What the inputs hold: text, so an emptied input is "the plan's". */
export type RateLimitsDraft = Record<RateBucket, { limit: string; window: string }>;

const BUCKET_LABELS: Record<RateBucket, string> = {
  read: 'Read',
  write: 'Write',
  expensive: 'Expensive',
};

export function draftOf(value: RateLimitsValue | null | undefined): RateLimitsDraft {
  const entry = (bucket: RateBucket) => ({
    limit: value?.[bucket]?.limit?.toString() ?? '',
    window: value?.[bucket]?.window_seconds?.toString() ?? '',
  });
  return { read: entry('read'), write: entry('write'), expensive: entry('expensive') };
}

/** The draft as the API takes it: null when every input is empty (the plan's rates). */
export function rateLimitsOf(draft: RateLimitsDraft): RateLimitsValue | null {
  const value: RateLimitsValue = {};
  for (const bucket of RATE_BUCKETS) {
    const { limit, window } = draft[bucket];
    if (!limit.trim() && !window.trim()) continue;
    value[bucket] = {
      ...(limit.trim() ? { limit: Number(limit) } : {}),
      ...(window.trim() ? { window_seconds: Number(window) } : {}),
    };
  }
  return Object.keys(value).length ? value : null;
}

export function KeyRateLimitsFields({
  value,
  onChange,
}: {
  value: RateLimitsDraft;
  onChange(next: RateLimitsDraft): void;
}) {
  const set = (bucket: RateBucket, part: 'limit' | 'window', text: string) =>
    onChange({ ...value, [bucket]: { ...value[bucket], [part]: text } });
  const plan = useQuery(() => fieldline.rateLimit.get(), []);
  const ceilingOf = (bucket: RateBucket) => plan.data?.policies.find((policy) => policy.bucket === bucket);
  return (
    <fieldset>
      <legend>Rate limits</legend>
      <p className="muted">
        Requests this key may make per window, by kind of call. Leave empty for the plan&apos;s rates; a key cannot go
        above them. Changes apply from the key&apos;s next request.
      </p>
      <div className="grid-3">
        {RATE_BUCKETS.map((bucket) => {
          const ceiling = ceilingOf(bucket);
          return (
            <div key={bucket}>
              <TextField
                label={`${BUCKET_LABELS[bucket]} limit`}
                type="number"
                min={1}
                step={1}
                inputMode="numeric"
                placeholder={ceiling ? String(ceiling.limit) : undefined}
                value={value[bucket].limit}
                onChange={(event) => set(bucket, 'limit', event.target.value)}
                hint={
                  ceiling
                    ? `Plan's ceiling: ${formatNumber(ceiling.limit)} per ${formatNumber(ceiling.window_seconds)} s`
                    : undefined
                }
              />
              <TextField
                label={`${BUCKET_LABELS[bucket]} window (seconds)`}
                type="number"
                min={1}
                max={86400}
                step={1}
                inputMode="numeric"
                placeholder={ceiling ? String(ceiling.window_seconds) : undefined}
                value={value[bucket].window}
                onChange={(event) => set(bucket, 'window', event.target.value)}
              />
            </div>
          );
        })}
      </div>
      {plan.data ? (
        <p className="muted">
          Plan <span className="badge">{plan.data.plan}</span>: a key may be slower than its plan, never faster.
        </p>
      ) : null}
      <ProblemNotice error={plan.error} title="The plan's ceiling did not load" />
    </fieldset>
  );
}
