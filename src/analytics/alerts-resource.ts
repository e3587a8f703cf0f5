// Alert history: one row per time a rule fired, from trigger to resolution. Written only by
// the evaluator; read through GET /v1/alerts (filter by rule or status).
import { defineResource } from '../platform/resource/define-resource.ts';
import { field } from '../platform/resource/fields.ts';
import { ALERT_METRIC_NAMES } from './alert-metrics.ts';

export const alerts = defineResource({
  name: 'alert',
  collection: 'alerts',
  idPrefix: 'alt',
  description:
    "One period during which an alert rule's metric was at or above its threshold. Open alerts have `status: firing`.",
  operations: ['list', 'get'],
  limitedBecause: 'Alert history is written by the alert evaluator only: change the rule, not its history.',
  emitsEvents: false,
  fields: {
    alert_rule_id: field.ref('alert-rules').readOnly().filterable().expand('alert_rule'),
    metric: field.enum(ALERT_METRIC_NAMES).readOnly().filterable(),
    threshold: field.number().readOnly(),
    window_minutes: field.integer().readOnly(),
    status: field.enum(['firing', 'resolved']).readOnly().filterable(),
    value: field.number().readOnly().describe('The metric when the alert opened.'),
    peak_value: field.number().readOnly().describe('The highest value seen while it was open.'),
    resolved_value: field.number().readOnly().describe('The metric when it resolved.'),
    triggered_at: field.datetime().readOnly().filterable().sortable(),
    resolved_at: field.datetime().readOnly().filterable(),
  },
});
