// The shape every business analytics endpoint shares: it validates the window, reads the
// account's time zone, then computes its figures for the period (and the previous one with
// `compare=previous_period`) and its "as of now" figures in one round trip, as the tenant.
import { z } from 'zod';
import type { Row } from '../db/database.ts';
import { defineOperation } from '../platform/api/define-operation.ts';
import { accountClock, runAnalytics, windowStatement } from './analytics-sql.ts';
import {
  INTERVALS,
  periodOf,
  PeriodSchema,
  resolveWindows,
  windowQuery,
  type Window,
  type WindowQuery,
} from './analytics-window.ts';

export const ANALYTICS_SCOPE = 'read:analytics';

/** Figures computed by SQL statements over one window. */
export interface Figures<Q, T> {
  sqls(query: Q): string[];
  assemble(results: Row[][], window: Window, query: Q): T;
}

interface AnalyticsDeclaration<Q extends WindowQuery, P, S> {
  path: string;
  operationId: string;
  tag: string;
  object: string;
  summary: string;
  description: string;
  /** Query parameters besides the window's. */
  extraQuery?: z.ZodRawShape;
  /** The figures of a period (repeated for the previous one). */
  period: Figures<Q, P>;
  periodSchema: z.ZodRawShape;
  /** Figures as of now, not of the period (open tickets, aging). */
  snapshot?: Figures<Q, S>;
  snapshotSchema?: z.ZodRawShape;
}

export function analyticsOperation<Q extends WindowQuery, P, S = never>(declaration: AnalyticsDeclaration<Q, P, S>) {
  const query = z.strictObject({ ...windowQuery, ...declaration.extraQuery });
  const PeriodFigures = z.object({ ...PeriodSchema, ...declaration.periodSchema });
  const response = z.object({
    object: z.literal(declaration.object),
    time_zone: z.string().describe("The account's time zone (account branding) the days are counted in."),
    interval: z.enum(INTERVALS),
    ...(declaration.snapshotSchema ?? {}),
    ...PeriodFigures.shape,
    previous_period: PeriodFigures.nullable().describe('The same figures for the previous period (with `compare`).'),
  });
  return defineOperation({
    method: 'get',
    path: declaration.path,
    operationId: declaration.operationId,
    tag: declaration.tag,
    scope: ANALYTICS_SCOPE,
    bucket: 'expensive',
    summary: declaration.summary,
    description: declaration.description,
    query: query as unknown as z.ZodType<Q>,
    response,
    async handle({ runtime, principal, query }) {
      const accountId = principal.accountId;
      const clock = await accountClock(runtime, accountId);
      const { current, previous } = resolveWindows(query, clock.timeZone, clock.today);
      const { period, snapshot } = declaration;
      const parts: { window: Window; figures: Figures<Q, unknown> }[] = [
        ...(snapshot ? [{ window: current, figures: snapshot as Figures<Q, unknown> }] : []),
        { window: current, figures: period },
        ...(previous ? [{ window: previous, figures: period }] : []),
      ];
      const statements = parts.map(({ window, figures }) =>
        figures.sqls(query).map((sql) => windowStatement(accountId, window, sql)),
      );
      const results = await runAnalytics(runtime, accountId, statements.flat());
      let offset = 0;
      const answers = parts.map(({ window, figures }, i) => {
        const mine = results.slice(offset, (offset += statements[i].length));
        return {
          ...(figures === period ? periodOf(window) : {}),
          ...(figures.assemble(mine, window, query) as object),
        };
      });
      const [snapshotAnswer] = snapshot ? answers.splice(0, 1) : [{}];
      return {
        status: 200,
        body: {
          data: {
            object: declaration.object,
            time_zone: current.timeZone,
            interval: current.interval,
            ...snapshotAnswer,
            ...answers[0],
            previous_period: answers[1] ?? null,
          },
        },
      };
    },
  });
}
