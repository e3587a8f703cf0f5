// The `ai` section of GET /v1/usage: LLM calls and their tokens in the window, in all and by
// provider and purpose, from the ai_usage log (src/ai/ai-usage.ts).
import { z } from 'zod';
import type { Row } from '../db/database.ts';
import type { SqlStatement } from '../db/inline-parameters.ts';

const Totals = {
  calls: z.int().describe('Calls made to LLM providers.'),
  failed_calls: z.int().describe('Calls the provider failed (after retries), timed out or answered unreadably.'),
  input_tokens: z.int(),
  output_tokens: z.int(),
};

export const AiUsageSection = z
  .object({
    ...Totals,
    by_provider: z.array(z.object({ provider_id: z.string(), kind: z.string(), model: z.string(), ...Totals })),
    by_purpose: z.array(z.object({ purpose: z.string().describe('draft_reply, voice_command, ...'), ...Totals })),
  })
  .describe('LLM calls in the window (AI drafts, voice commands, provider tests); not filtered by key or credential.');

const TOTALS_SQL = `count(*)::int AS calls, count(*) FILTER (WHERE NOT ok)::int AS failed_calls,
  coalesce(sum(input_tokens), 0)::int AS input_tokens, coalesce(sum(output_tokens), 0)::int AS output_tokens`;
const WINDOW = 'WHERE account_id = $1 AND created_at >= $2 AND created_at < $3';

/** Three statements for the tenant batch of GET /v1/usage: totals, by provider, by purpose. */
export function aiUsageStatements(accountId: string, from: string, to: string): SqlStatement[] {
  const parameters = [accountId, from, to];
  return [
    { sql: `SELECT ${TOTALS_SQL} FROM ai_usage ${WINDOW}`, parameters },
    {
      sql: `SELECT provider_id, provider_kind AS kind, model, ${TOTALS_SQL} FROM ai_usage ${WINDOW}
            GROUP BY 1, 2, 3 ORDER BY 1, 3`,
      parameters,
    },
    { sql: `SELECT purpose, ${TOTALS_SQL} FROM ai_usage ${WINDOW} GROUP BY 1 ORDER BY 1`, parameters },
  ];
}

const totals = (row: Row | undefined) => ({
  calls: Number(row?.calls ?? 0),
  failed_calls: Number(row?.failed_calls ?? 0),
  input_tokens: Number(row?.input_tokens ?? 0),
  output_tokens: Number(row?.output_tokens ?? 0),
});

/** The section from the three statements' rows. */
export function aiUsageSection([[summary], byProvider, byPurpose]: Row[][]): z.output<typeof AiUsageSection> {
  return {
    ...totals(summary),
    by_provider: byProvider.map((row) => ({
      provider_id: String(row.provider_id),
      kind: String(row.kind),
      model: String(row.model),
      ...totals(row),
    })),
    by_purpose: byPurpose.map((row) => ({ purpose: String(row.purpose), ...totals(row) })),
  };
}
