// One tool call: the operation runs in-process with the caller's principal; its scope is
// checked as over HTTP. Any failure becomes a tool result holding the problem details (an
// agent reads why), never a protocol error.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ApiError } from '../platform/errors.ts';
import { toApiError } from '../platform/database-errors.ts';
import { hasScope } from '../platform/operations/principal.ts';
import { requireFeature } from '../platform/api/plan-features.ts';
import type { McpTool, ToolCall } from './mcp-tools.ts';

export async function callTool(tool: McpTool, call: ToolCall): Promise<CallToolResult> {
  const { scope, method, path } = tool.operation;
  try {
    if (scope && !hasScope(call.principal, scope)) {
      throw new ApiError('insufficient_scope', `This tool needs the scope '${scope}'`, { required_scope: scope });
    }
    requireFeature(call.principal, tool.operation.feature);
    const result = await tool.run(call);
    if ('response' in result || 'stream' in result) {
      const what = 'stream' in result ? `a file (${result.contentType})` : 'not JSON';
      return {
        isError: true,
        content: [
          { type: 'text', text: `This answer is ${what}: fetch it over HTTP with ${method.toUpperCase()} ${path}` },
        ],
      };
    }
    return {
      content: [{ type: 'text', text: JSON.stringify(result.body) }],
      structuredContent: result.body as Record<string, unknown>,
    };
  } catch (error) {
    let problem = error instanceof ApiError ? error : toApiError(error);
    if (!problem) {
      call.runtime.logger.error({ err: error, request_id: call.requestId, tool: tool.name }, 'MCP tool call failed');
      problem = new ApiError(
        'internal_error',
        'Something went wrong on our side; the request id identifies it in our logs',
      );
    }
    return { isError: true, content: [{ type: 'text', text: JSON.stringify(problem.toProblem(call.requestId)) }] };
  }
}
