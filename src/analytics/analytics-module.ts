// API traffic analytics: every request in the request log (batched, partitioned by day),
// Prometheus request series, usage and error summaries computed from the log, and alert rules
// evaluated on a schedule that open alerts, mail and notify.
import { defineModule, provide } from '../platform/api/module.ts';
import { requestTelemetry as requestTelemetryKey } from '../http/http-services.ts';
import { AlertEvaluator } from './alert-evaluator.ts';
import { alertRules } from './alert-rules-resource.ts';
import { alerts } from './alerts-resource.ts';
import { ANALYTICS_MIGRATIONS } from './analytics-migrations.ts';
import { alertEvaluator, requestLogWriter } from './analytics-services.ts';
import { echoOperation } from './echo-operation.ts';
import { errorsOperation } from './errors-operation.ts';
import { RequestLogWriter } from './request-log-writer.ts';
import { requestLogs } from './request-logs-resource.ts';
import { requestTelemetry } from './request-telemetry.ts';
import { usageOperation } from './usage-operation.ts';

export const analyticsModule = defineModule({
  name: 'analytics',
  resources: [requestLogs, alertRules, alerts],
  migrations: ANALYTICS_MIGRATIONS,
  operations: () => [usageOperation, errorsOperation, echoOperation],
  events: [
    {
      type: 'alert.triggered',
      collection: 'alerts',
      description: "An alert rule's metric reached its threshold: an alert opened.",
    },
    {
      type: 'alert.resolved',
      collection: 'alerts',
      description: "An alert rule's metric fell back below its threshold: the alert resolved.",
    },
  ],
  document: { tags: { Analytics: 'Usage and errors of your API traffic, computed from the request log.' } },
  provides: [
    provide(
      requestLogWriter,
      (runtime) =>
        new RequestLogWriter(runtime.db, runtime.metrics, runtime.logger, {
          retentionDays: runtime.options.requestLogRetentionDays,
        }),
    ),
    provide(
      requestTelemetryKey,
      (runtime) =>
        requestTelemetry({
          metrics: runtime.metrics,
          writer: runtime.use(requestLogWriter),
          trustProxy: runtime.options.trustProxy,
        }),
      () => ({}),
    ),
    provide(
      alertEvaluator,
      (runtime) => new AlertEvaluator(runtime.db, runtime.logger, { intervalMs: runtime.options.alertIntervalMs }),
    ),
  ],
});
