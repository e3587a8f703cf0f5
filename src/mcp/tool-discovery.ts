// The two tools every connection lists, so an agent that sees only a few tools can reach all
// of them: `search_tools` finds tools by words (names, titles, descriptions), `describe_tools`
// gives named tools' full definitions with input schemas. Either's results can be called
// right away: tools/call runs any tool the credential's scopes allow, listed or not.
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { hasScope, type Principal } from '../platform/operations/principal.ts';
import type { McpTool } from './mcp-tools.ts';
import { toolsetOf } from './toolsets.ts';

export const SEARCH_TOOLS = 'search_tools';
export const DESCRIBE_TOOLS = 'describe_tools';
const MAX_DESCRIBED = 20;

/** A tool as tools/list and describe_tools present it. */
export function toolDefinition(tool: McpTool): Tool {
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: tool.inputSchema as Tool['inputSchema'],
    annotations: {
      readOnlyHint: tool.operation.method === 'get',
      destructiveHint: tool.operation.method === 'delete',
      idempotentHint: tool.operation.method !== 'post',
      openWorldHint: false,
    },
  };
}

export function discoveryTools(toolsets: readonly string[]): Tool[] {
  return [
    {
      name: SEARCH_TOOLS,
      title: 'Find tools by words',
      description:
        'Finds tools this connection may call but does not list, by words of what you want to do ' +
        '("refund payment", "purchase order", "technician location"). Answers names, toolsets and ' +
        'descriptions, best first; call any of them by name, or get their input schemas with ' +
        `${DESCRIBE_TOOLS}. Toolsets: ${toolsets.join(', ')}.`,
      inputSchema: {
        type: 'object',
        properties: {
          query: { type: 'string', minLength: 1, maxLength: 200, description: 'Words to look for.' },
          toolset: { type: 'string', description: 'Only tools of this toolset (e.g. `invoices`).' },
          limit: { type: 'integer', minimum: 1, maximum: 50, default: 10 },
        },
        required: ['query'],
        additionalProperties: false,
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    {
      name: DESCRIBE_TOOLS,
      title: 'Describe tools by name',
      description: `Full definitions (description, input schema) of up to ${MAX_DESCRIBED} tools named.`,
      inputSchema: {
        type: 'object',
        properties: {
          names: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: MAX_DESCRIBED },
        },
        required: ['names'],
        additionalProperties: false,
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
  ];
}

const mayCall = (tool: McpTool, principal: Principal) =>
  !tool.operation.scope || hasScope(principal, tool.operation.scope);
const words = (text: string) => text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
const answer = (body: unknown, isError = false): CallToolResult => ({
  ...(isError ? { isError } : {}),
  content: [{ type: 'text', text: JSON.stringify(body) }],
  ...(isError ? {} : { structuredContent: body as Record<string, unknown> }),
});
const invalid = (message: string) =>
  answer({ type: 'about:blank', code: 'bad_request', status: 400, title: 'Bad request', detail: message }, true);

/** Ranks a tool for the query's words: words in its name count most, then title, then description. */
function score(tool: McpTool, query: string[]): number {
  const name = tool.name.replace(/_/g, ' ');
  const title = tool.title.toLowerCase();
  const description = tool.description.toLowerCase();
  let total = 0;
  for (const word of query) {
    const stem = word.length > 3 ? word.replace(/s$/, '') : word; // "invoices" finds invoice_*
    const found = (name.includes(stem) ? 6 : 0) + (title.includes(stem) ? 3 : 0) + (description.includes(stem) ? 1 : 0);
    if (!found) return 0;
    total += found;
  }
  return total;
}

export function searchTools(tools: Iterable<McpTool>, principal: Principal, args: Record<string, unknown>) {
  const { query, toolset, limit = 10 } = args;
  if (typeof query !== 'string' || !words(query).length || query.length > 200)
    return invalid('query: give words to look for (at most 200 characters)');
  if (toolset !== undefined && typeof toolset !== 'string') return invalid('toolset: expected a string');
  if (!Number.isInteger(limit) || (limit as number) < 1 || (limit as number) > 50)
    return invalid('limit: expected an integer from 1 to 50');
  const asked = words(query).slice(0, 16);
  const wanted = typeof toolset === 'string' ? toolset.toLowerCase().replace(/_/g, '-') : undefined;
  const found = [...tools]
    .filter((tool) => mayCall(tool, principal) && (!wanted || toolsetOf(tool) === wanted))
    .map((tool) => ({ tool, score: score(tool, asked) }))
    .filter((match) => match.score > 0)
    .sort((a, b) => b.score - a.score || a.tool.name.localeCompare(b.tool.name))
    .slice(0, limit as number);
  return answer({
    tools: found.map(({ tool }) => ({
      name: tool.name,
      title: tool.title,
      toolset: toolsetOf(tool),
      description: tool.description,
    })),
  });
}

export function describeTools(tools: Map<string, McpTool>, principal: Principal, args: Record<string, unknown>) {
  const { names } = args;
  if (
    !Array.isArray(names) ||
    !names.length ||
    names.length > MAX_DESCRIBED ||
    !names.every((name) => typeof name === 'string')
  )
    return invalid(`names: expected 1 to ${MAX_DESCRIBED} tool names`);
  const unknown = names.filter((name) => !tools.get(name) || !mayCall(tools.get(name)!, principal));
  if (unknown.length) return invalid(`No tool this credential may call is named: ${unknown.join(', ')}`);
  return answer({ tools: names.map((name) => toolDefinition(tools.get(name)!)) });
}
