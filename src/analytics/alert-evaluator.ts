// The scheduled job behind alert rules: once a minute, one node (whichever claims the round in
// periodic_job_rounds; the others skip it) computes every enabled rule's metric from the request
// log and the usage counters, then moves each rule between ok and firing. A transition writes the
// alert row, the rule's state, its event and its mails in one transaction, so an alert never
// fires twice and never fires without its notifications. The advisory lock keeps two evaluations
// that do run together (a manual one beside the schedule's) from overlapping: the second skips.
import type { Logger } from 'pino';
import type { Database, DatabaseConnection, Row } from '../db/database.ts';
import { inlineParameters, type SqlStatement } from '../db/inline-parameters.ts';
import { newId } from '../platform/ids.ts';
import { serialize } from '../platform/operations/serialize.ts';
import { insertRow } from '../platform/operations/row-statements.ts';
import { eventStatement, platformEventStatement } from '../platform/events/platform-events.ts';
import { notifications } from '../domain/notifications.ts';
import { queueMailStatement } from '../mail/mail-outbox.ts';
import { planFromRow, planOfAccountSql } from '../billing/plan-rows.ts';
import { periodOf } from '../limits/monthly-quota.ts';
import { PeriodicJob } from '../platform/jobs/periodic-job.ts';
import { ALERT_METRICS, type AlertMetricName, type WindowStats } from './alert-metrics.ts';
import { alerts } from './alerts-resource.ts';
import { STATS_SQL } from './usage-operation.ts';

/** pg_advisory_xact_lock key: "alerts" in ASCII. */
const EVALUATION_LOCK = 0x616c65727473;

export interface EvaluationReport {
  evaluated: number;
  triggered: number;
  resolved: number;
}

export class AlertEvaluator {
  /**
   * One round per interval across every node. The advisory lock alone did not do it: held only
   * while an evaluation runs, it let each node evaluate once per interval on its own timer.
   */
  readonly #schedule: PeriodicJob;

  constructor(
    private readonly db: Database,
    logger: Logger,
    options: { intervalMs?: number } = {},
  ) {
    this.#schedule = new PeriodicJob(db, logger, {
      name: 'alert-rules',
      everyMs: options.intervalMs ?? 60_000,
      run: (now) => this.evaluate({ now }),
    });
  }

  start(): void {
    this.#schedule.start();
  }

  stop(): Promise<void> {
    return this.#schedule.stop();
  }

  /**
   * Evaluates every enabled rule now (or only those of `accountIds`); null when another node
   * holds this round.
   */
  evaluate({
    now = Date.now(),
    accountIds,
  }: { now?: number; accountIds?: readonly string[] } = {}): Promise<EvaluationReport | null> {
    return this.db.withConnection(async (connection) => {
      await connection.run('BEGIN');
      try {
        const [[{ locked }]] = await connection.run(`SELECT pg_try_advisory_xact_lock(${EVALUATION_LOCK}) AS locked`);
        const report = locked ? await this.#evaluateRules(connection, now, accountIds) : null;
        await connection.run('COMMIT');
        return report;
      } catch (error) {
        await connection.run('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  async #evaluateRules(
    connection: DatabaseConnection,
    now: number,
    accountIds?: readonly string[],
  ): Promise<EvaluationReport> {
    const query = async (statement: SqlStatement) => (await connection.run(inlineParameters(statement)))[0];
    const at = new Date(now).toISOString();
    const rules = await query({
      sql: `SELECT r.*, ${planOfAccountSql('a')} AS plan_row, u.requests AS month_requests FROM alert_rules r
            JOIN accounts a ON a.id = r.account_id
            LEFT JOIN usage_counters u ON u.account_id = r.account_id AND u.period = $1
            WHERE ((r.enabled AND r.deleted_at IS NULL) OR r.state = 'firing')
              ${accountIds ? 'AND r.account_id = ANY ($2)' : ''} ORDER BY r.account_id, r.id`,
      parameters: accountIds ? [periodOf(now), accountIds] : [periodOf(now)],
    });
    const windows = new Map<string, WindowStats>();
    const report: EvaluationReport = { evaluated: rules.length, triggered: 0, resolved: 0 };
    const writes: SqlStatement[] = [];
    for (const rule of rules) {
      if (!rule.enabled || rule.deleted_at) {
        // A rule turned off or deleted while firing: its open alert must not stay open for good.
        writes.push({
          sql: "UPDATE alert_rules SET state = 'ok', last_evaluated_at = $2, updated_at = $2 WHERE id = $1",
          parameters: [rule.id, at],
        });
        writes.push(
          ...(await this.#resolve(
            query,
            rule,
            null,
            at,
            rule.deleted_at ? 'its rule was deleted' : 'its rule was disabled',
          )),
        );
        report.resolved++;
        continue;
      }
      const windowKey = `${rule.account_id} ${rule.window_minutes}`;
      if (!windows.has(windowKey)) {
        const [stats] = await query({
          sql: `SELECT ${STATS_SQL} FROM request_logs WHERE account_id = $1 AND created_at >= $2 AND created_at < $3`,
          parameters: [rule.account_id, new Date(now - rule.window_minutes * 60_000).toISOString(), at],
        });
        windows.set(windowKey, stats as WindowStats);
      }
      const window = windows.get(windowKey)!;
      const metric = ALERT_METRICS[rule.metric as AlertMetricName];
      const value = metric.read({
        window,
        quotaShare: Number(rule.month_requests ?? 0) / planFromRow(rule.plan_row).monthlyRequests,
      });
      const measurable = value !== null && (!metric.sampled || window.requests >= rule.min_requests);
      const breached = measurable && value >= rule.threshold;

      // updated_at moves only when the state does: evaluation alone is not a change to the rule.
      writes.push({
        sql:
          'UPDATE alert_rules SET last_value = $2, last_evaluated_at = $3, updated_at = CASE WHEN state = $4 ' +
          'THEN updated_at ELSE $3 END, state = $4 WHERE id = $1',
        parameters: [rule.id, value, at, breached ? 'firing' : 'ok'],
      });
      if (breached && rule.state !== 'firing') {
        writes.push(...this.#trigger(rule, value, at));
        report.triggered++;
      } else if (breached) {
        writes.push({
          sql:
            'UPDATE alerts SET peak_value = greatest(peak_value, $2), updated_at = $3 ' +
            "WHERE alert_rule_id = $1 AND status = 'firing'",
          parameters: [rule.id, value, at],
        });
      } else if (rule.state === 'firing') {
        writes.push(...(await this.#resolve(query, rule, value, at)));
        report.resolved++;
      }
    }
    if (writes.length) await connection.run(writes.map(inlineParameters).join(';\n'));
    return report;
  }

  #trigger(rule: Row, value: number, at: string): SqlStatement[] {
    const alert = {
      id: newId(alerts.idPrefix),
      alert_rule_id: rule.id,
      metric: rule.metric,
      threshold: rule.threshold,
      window_minutes: rule.window_minutes,
      status: 'firing',
      value,
      peak_value: value,
      resolved_value: null,
      triggered_at: at,
      resolved_at: null,
      created_at: at,
      updated_at: at,
    };
    return [
      insertRow(alerts, rule.account_id, alert),
      platformEventStatement(rule.account_id, 'alert.triggered', serialize(alerts, alert), at),
      ...this.#tell(
        rule,
        at,
        alert.id,
        `Alert: ${rule.name}`,
        `${describe(rule, value)}, at or above the threshold of ${rule.threshold}.\n` +
          `Opened at ${at}; alert ${alert.id}.`,
      ),
    ];
  }

  async #resolve(
    query: (s: SqlStatement) => Promise<Row[]>,
    rule: Row,
    value: number | null,
    at: string,
    because?: string,
  ): Promise<SqlStatement[]> {
    const [alert] = await query({
      sql: `UPDATE alerts SET status = 'resolved', resolved_value = $2, resolved_at = $3, updated_at = $3
            WHERE alert_rule_id = $1 AND status = 'firing' RETURNING *`,
      parameters: [rule.id, value, at],
    });
    if (!alert) return []; // the rule was marked firing but its alert is gone: just reset the state
    const why = because
      ? `Closed because ${because}`
      : `${describe(rule, value)}, below the threshold of ${rule.threshold} again`;
    return [
      platformEventStatement(rule.account_id, 'alert.resolved', serialize(alerts, alert), at),
      ...this.#tell(rule, at, alert.id, `Resolved: ${rule.name}`, `${why}.\nResolved at ${at}; alert ${alert.id}.`),
    ];
  }

  /** The rule's mail and in-app notifications (each with its `notification.created` event). */
  #tell(rule: Row, at: string, alertId: string, title: string, text: string): SqlStatement[] {
    const mail = rule.notify_emails.length
      ? [
          queueMailStatement({
            accountId: rule.account_id,
            to: rule.notify_emails,
            subject: `[Fieldline] ${title}`,
            text,
          }),
        ]
      : [];
    return mail.concat(
      ((rule.notify_user_ids ?? []) as string[]).flatMap((userId) => {
        const notification = {
          id: newId(notifications.idPrefix),
          user_id: userId,
          title,
          body: text,
          category: 'alert',
          link: `/v1/alerts/${alertId}`,
          read_at: null,
          read: false,
          created_at: at,
          updated_at: at,
        };
        return [
          insertRow(notifications, rule.account_id, notification),
          eventStatement(rule.account_id, 'notification.created', serialize(notifications, notification), at),
        ];
      }),
    );
  }
}

function describe(rule: Row, value: number | null): string {
  const { unit } = ALERT_METRICS[rule.metric as AlertMetricName];
  const shown = value === null ? 'no data' : `${Math.round(value * 100) / 100} ${unit}`;
  return `Rule '${rule.name}' (${rule.id}): ${rule.metric} over the last ${rule.window_minutes} min is ${shown}`;
}
