// One tool call of a voice command, as the MCP server makes it: the tool's operation runs
// in-process with the caller's principal (its scope checked here as over HTTP, its tenancy and
// validation the operation's own), charged to the caller's rate bucket like any call. Each
// operation runs in its own transaction: nothing here holds one open. A failure is the
// problem details, never an exception, so a plan can say which step failed and why.
import { ApiError } from '../platform/errors.ts';
import { toApiError } from '../platform/database-errors.ts';
import { hasScope, type Principal } from '../platform/operations/principal.ts';
import { trafficControl } from '../platform/api/traffic-control.ts';
import { requireFeature } from '../platform/api/plan-features.ts';
import { toolBucket, type McpTool } from '../mcp/mcp-tools.ts';
import type { Runtime } from '../platform/contract.ts';

export interface ToolContext {
  runtime: Runtime;
  principal: Principal;
  requestId: string;
  tools: ReadonlyMap<string, McpTool>;
}

export type ToolOutcome = { ok: true; body: Record<string, unknown> } | { ok: false; problem: Record<string, unknown> };

/** Reads change nothing: GET operations, and POSTs scoped as reads (previews). */
export const isReadOnly = (tool: McpTool) =>
  tool.operation.method === 'get' || (tool.operation.scope?.startsWith('read:') ?? false);

/** The scope the principal lacks for the tool, if any. */
export function missingScope(tool: McpTool, principal: Principal): string | null {
  const scope = tool.operation.scope;
  return scope && !hasScope(principal, scope) ? scope : null;
}

export async function runTool(ctx: ToolContext, tool: McpTool, args: Record<string, unknown>): Promise<ToolOutcome> {
  const { runtime, principal, requestId } = ctx;
  try {
    const scope = missingScope(tool, principal);
    if (scope)
      throw new ApiError('insufficient_scope', `This step needs the scope '${scope}'`, { required_scope: scope });
    requireFeature(principal, tool.operation.feature);
    if (runtime.options.trafficControl) await runtime.find(trafficControl)?.charge(principal, toolBucket(tool, args));
    const result = await tool.run({ runtime, principal, args, requestId });
    if ('response' in result || 'stream' in result)
      throw new ApiError('bad_request', `${tool.name} answers a file or a protocol message, not JSON`);
    return { ok: true, body: (result.body ?? {}) as Record<string, unknown> };
  } catch (error) {
    let problem = error instanceof ApiError ? error : toApiError(error);
    if (!problem) {
      runtime.logger.error({ err: error, request_id: requestId, tool: tool.name }, 'voice command step failed');
      problem = new ApiError('internal_error', 'Something went wrong on our side; the request id identifies it');
    }
    return { ok: false, problem: problem.toProblem(requestId) };
  }
}
