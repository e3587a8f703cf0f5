// Which tools a connection lists. All of them (~370, over 500 KB of schemas) would fill an
// agent's context before it does anything, so a connection lists a small default set of the
// most used tools unless its URL names toolsets (`/mcp?toolsets=jobs,customers`, or `all`);
// a scope-narrowed credential lists only what its scopes allow. Listing is not permission:
// any tool the credential's scopes allow can be called by name, and `search_tools` /
// `describe_tools` (tool-discovery.ts) find the others. tools/list pages by cursor (MCP spec).
import { McpError, ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import { badRequest } from '../platform/errors.ts';
import type { McpTool } from './mcp-tools.ts';

/** The tools a connection without `toolsets` lists, besides the discovery tools. */
export const DEFAULT_TOOLS: readonly string[] = [
  'search',
  'customers_list',
  'customers_get',
  'customers_create',
  'customers_update',
  'jobs_list',
  'jobs_get',
  'jobs_create',
  'jobs_update',
  'jobs_schedule',
  'jobs_complete',
  'invoices_list',
  'invoices_get',
  'invoices_create',
];

/** Tools per tools/list page. */
export const TOOLS_PAGE_SIZE = 50;

/** A tool's toolset: its collection (`customers`), or its tag's slug (`search`, `account`). */
export function toolsetOf(tool: McpTool): string {
  return tool.operation.collection ?? tool.operation.tag.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}

/** Every toolset name, with how many tools each holds. */
export function toolsetCounts(tools: Iterable<McpTool>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const tool of tools) counts.set(toolsetOf(tool), (counts.get(toolsetOf(tool)) ?? 0) + 1);
  return counts;
}

/**
 * What `?toolsets=` asks for: null for the default set, 'all', or a set of toolset names
 * (`_` read as `-`). An unknown name is a 400 naming the known ones.
 */
export function parseToolsets(raw: string | undefined, known: ReadonlySet<string>): 'all' | Set<string> | null {
  if (raw === undefined || raw.trim() === '') return null;
  const names = raw
    .split(',')
    .map((name) => name.trim().toLowerCase().replace(/_/g, '-'))
    .filter(Boolean);
  if (names.includes('all')) return 'all';
  const unknown = names.find((name) => !known.has(name));
  if (unknown)
    throw badRequest(`toolsets: '${unknown}' is not a toolset; choose from all, ${[...known].join(', ')}`, [
      { path: 'toolsets', message: `'${unknown}' is not a toolset` },
    ]);
  return new Set(names);
}

/** Whether a connection that asked for `toolsets` lists this tool. */
export function inToolsets(tool: McpTool, toolsets: 'all' | Set<string> | null): boolean {
  if (toolsets === 'all') return true;
  if (toolsets === null) return DEFAULT_TOOLS.includes(tool.name);
  return toolsets.has(toolsetOf(tool));
}

/** One page of a list, and the opaque cursor of the next (a tools/list cursor is its offset). */
export function pageOf<T>(items: readonly T[], cursor: string | undefined): { page: T[]; nextCursor?: string } {
  let offset = 0;
  if (cursor !== undefined) {
    const decoded = Buffer.from(cursor, 'base64url').toString();
    if (!/^(0|[1-9]\d{0,6})$/.test(decoded) || Number(decoded) >= items.length)
      throw new McpError(ErrorCode.InvalidParams, 'Invalid cursor: pass nextCursor as it came');
    offset = Number(decoded);
  }
  const end = offset + TOOLS_PAGE_SIZE;
  return {
    page: items.slice(offset, end),
    nextCursor: end < items.length ? Buffer.from(String(end)).toString('base64url') : undefined,
  };
}
