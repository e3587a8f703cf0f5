// What LLM calls cost an account: each call's tokens go to the monthly AI token quota
// (usage_counters, shared with requests and deliveries) and, with its provider and purpose, to
// ai_usage for GET /v1/usage. A call is checked against the quota before it is sent (nothing
// reaches the provider past it) and charged once the provider has said what it used.
import type { Runtime } from '../platform/contract.ts';
import type { Plan } from '../platform/api/traffic.ts';
import { ApiError } from '../platform/errors.ts';
import { tenantBatch } from '../db/tenant-transaction.ts';
import { aiTokenQuota } from '../limits/limits-services.ts';
import type { LlmProviderRef } from './llm-types.ts';

/** Refuses (429 quota_exceeded) when the month's AI tokens are used up. Reads usage_counters: no open transaction. */
export async function assertAiQuota(runtime: Runtime, accountId: string, plan: Plan): Promise<void> {
  const state = await runtime.use(aiTokenQuota).current(accountId, plan);
  if (state.used < state.limit) return;
  throw new ApiError(
    'quota_exceeded',
    `The '${plan.name}' plan's ${state.limit} AI tokens for ${state.period} are used up ` +
      `(${state.used} used); LLM calls are refused until the count starts again at the start of next month (UTC), ` +
      `in ${state.resetSeconds} s.`,
    {
      quota: 'ai_tokens',
      used: state.used,
      limit: state.limit,
      period: state.period,
      headers: { 'Retry-After': String(state.resetSeconds) },
    },
  );
}

export interface UsageRecord {
  provider: LlmProviderRef;
  purpose: string;
  ok: boolean;
  inputTokens: number;
  outputTokens: number;
  latencyMs: number;
}

/** Charges the quota and logs the call, in its own short statement batch (never inside a transaction). */
export async function recordAiUsage(runtime: Runtime, accountId: string, plan: Plan, usage: UsageRecord) {
  runtime.use(aiTokenQuota).charge(accountId, plan, usage.inputTokens + usage.outputTokens);
  try {
    await tenantBatch(runtime.db, accountId, [
      {
        sql: `INSERT INTO ai_usage (account_id, provider_id, provider_kind, model, purpose, ok,
                input_tokens, output_tokens, latency_ms, created_at)
              VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())`,
        parameters: [
          accountId,
          usage.provider.id,
          usage.provider.kind,
          usage.provider.model,
          usage.purpose.slice(0, 64),
          usage.ok,
          usage.inputTokens,
          usage.outputTokens,
          usage.latencyMs,
        ],
      },
    ]);
  } catch (err) {
    // The quota has counted it; only the breakdown by provider and purpose misses this call.
    runtime.logger.warn({ err, account_id: accountId }, 'could not log an LLM call');
  }
}
