// Alert rules: "tell me when the account's API traffic looks wrong". A rule watches one
// metric over a sliding window; the evaluator (alert-evaluator.ts) checks every rule once a
// minute and opens an alert when the value reaches the threshold, resolving it when it falls
// back. Each change is an event (`alert.triggered`, `alert.resolved`), so webhooks carry it;
// the rule's `notify_emails` get a mail and its `notify_user_ids` an in-app notification.
import { z } from 'zod';
import { defineResource } from '../platform/resource/define-resource.ts';
import { field } from '../platform/resource/fields.ts';
import { ALERT_METRIC_NAMES, ALERT_METRICS, metricDocs, type AlertMetricName } from './alert-metrics.ts';
import { selectRowsByIds } from '../platform/operations/row-statements.ts';
import { validationFailed } from '../platform/errors.ts';

export const ALERT_STATES = ['ok', 'firing'] as const;

export const alertRules = defineResource({
  name: 'alert_rule',
  collection: 'alert-rules',
  idPrefix: 'alr',
  description:
    "A threshold on the account's API traffic, checked every minute. " +
    'When the metric reaches the threshold an alert opens ' +
    '(event `alert.triggered`, mail to `notify_emails`, a notification to each of `notify_user_ids`); ' +
    'when it falls back the alert resolves (`alert.resolved`).',
  // Deleted rules keep their alert history readable.
  softDelete: true,
  fields: {
    name: field.text({ min: 1, max: 200 }).required().searchable().sortable().example('API error rate above 5 %'),
    metric: field.enum(ALERT_METRIC_NAMES).required().filterable().describe(`What the rule watches. ${metricDocs()}`),
    threshold: field
      .number({ min: 0, max: 1e12 })
      .required()
      .describe("The rule fires when the metric is at or above this value (in the metric's unit).")
      .example(5),
    window_minutes: field
      .integer({ min: 1, max: 1440 })
      .default(5)
      .describe('The sliding window the metric is computed over, ending at each evaluation.'),
    min_requests: field
      .integer({ min: 1, max: 1_000_000 })
      .default(20)
      .describe(
        'For error_rate and p95_latency_ms: fewer requests than this in the window never fire ' +
          '(five requests with one error is not a 20 % error rate worth waking anyone for).',
      ),
    notify_emails: field
      .json(z.array(z.email().max(320)).max(20))
      .default([])
      .describe('Addresses mailed when an alert opens and resolves.')
      .example(['ops@example.com']),
    notify_user_ids: field
      .tags()
      .example([])
      .describe(
        'Team members (user ids) who get an in-app notification (`/v1/notifications`) ' +
          'when an alert opens and resolves.',
      ),
    enabled: field.boolean().default(true).filterable(),
    state: field
      .enum(ALERT_STATES)
      .default('ok')
      .readOnly()
      .filterable()
      .describe('`firing` while an alert of this rule is open.'),
    last_value: field.number().readOnly().describe('The metric at the last evaluation (null when it had no data).'),
    last_evaluated_at: field.datetime().readOnly(),
  },
  hooks: {
    validate: async ({ row, previous, ctx }) => {
      if (ALERT_METRICS[row.metric as AlertMetricName]?.unit === 'percent' && row.threshold > 100) {
        throw validationFailed([
          { path: 'threshold', message: `${row.metric} is a percentage: the threshold can be at most 100` },
        ]);
      }
      const ids: string[] = row.notify_user_ids ?? [];
      if (previous && sameIds(ids, previous.notify_user_ids)) return;
      const users = ctx.registry.get('users');
      const known = new Set(
        ids.length ? (await ctx.tx.query(selectRowsByIds(users, ctx.tx.accountId, ids))).map((user) => user.id) : [],
      );
      const missing = ids.flatMap((id, index) =>
        known.has(id) ? [] : [{ path: `notify_user_ids.${index}`, message: `No such user: '${id}'` }],
      );
      if (missing.length) throw validationFailed(missing);
    },
  },
});

const sameIds = (a: readonly string[], b: readonly string[] | null) =>
  a.length === (b ?? []).length && a.every((id, i) => id === b![i]);
