// POST /mcp: the Model Context Protocol over Streamable HTTP, for AI agents. Stateless: every
// request carries one message (MCP 2025-06-18 has no batches), passes the same chain as any
// operation (authentication, limits, Idempotency-Key), and is charged once: a tool call in its
// operation's bucket, anything else as a read. It gets a server that lists only the tools its
// credential's scopes allow; a tool call runs its operation in-process, tenant-scoped and
// scope-checked; a failure is a tool result holding the problem details, so the agent can
// read why. The 401 challenge points clients at RFC 9728 metadata naming our OAuth server.
// Which tools a connection lists (a default few, or `?toolsets=`), and paging: toolsets.ts.
import { z } from 'zod';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
// prettier-ignore
import {
  WebStandardStreamableHTTPServerTransport,
} from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { Api } from '../platform/api/build-api.ts';
import { defineModule } from '../platform/api/module.ts';
import { defineOperation } from '../platform/api/define-operation.ts';
import { ApiError, ERROR_CATALOGUE } from '../platform/errors.ts';
import { hasScope, type Principal } from '../platform/operations/principal.ts';
import { inToolsets, pageOf, parseToolsets, toolsetCounts } from './toolsets.ts';
import {
  DESCRIBE_TOOLS,
  SEARCH_TOOLS,
  describeTools,
  discoveryTools,
  searchTools,
  toolDefinition,
} from './tool-discovery.ts';
import { API_VERSION } from '../platform/openapi/build-openapi.ts';
import { callTool } from './call-tool.ts';
import { oauthScopes } from '../auth/oauth-provider.ts';
import { mcpTools, toolBucket, type McpTool } from './mcp-tools.ts';
import type { Runtime, RuntimeOptions } from '../platform/contract.ts';

export const MCP_PATH = '/mcp';
const RESOURCE_METADATA_PATH = '/.well-known/oauth-protected-resource';

const RESOURCES = {
  'fieldline://openapi.json': {
    name: 'openapi',
    title: 'Fieldline OpenAPI document',
    description: 'Every operation of the REST API, with schemas.',
  },
  'fieldline://errors.json': {
    name: 'errors',
    title: 'Error catalogue',
    description: 'Every problem `code` the API answers with, its HTTP status and title.',
  },
} as const;

const INSTRUCTIONS =
  "Fieldline is a field-service CRM: customers, jobs, quotes, invoices and more of one account (the credential's). " +
  'Each tool mirrors one REST operation; only the most used are listed unless the MCP URL names toolsets ' +
  '(`?toolsets=jobs,invoices` or `all`): find the others with `search_tools` and call them by name. ' +
  'lists take the same filters and return `has_more` and `next_cursor` for the next page. ' +
  'A failed call answers with RFC 9457 problem details whose `code` is in the errors resource.';

type Message = { method?: unknown; params?: { name?: unknown; arguments?: unknown } };

/**
 * The tools of an API, built on first use: ~280 tools cost ~20 ms, which runtimes that never see an agent need not pay.
 */
function toolTable(api: () => Api) {
  let tools: Map<string, McpTool> | undefined;
  return () => {
    if (tools) return tools;
    tools = new Map(mcpTools(api()).map((tool) => [tool.name, tool]));
    for (const name of [SEARCH_TOOLS, DESCRIBE_TOOLS])
      if (tools.has(name)) throw new Error(`MCP: an operation's tool is named ${name}, which discovery uses`);
    return tools;
  };
}

interface Connection {
  runtime: Runtime;
  principal: Principal;
  requestId: string;
  /** What `?toolsets=` asked for (parseToolsets). */
  toolsets: ReturnType<typeof parseToolsets>;
}

function serverFor(api: Api, tools: Map<string, McpTool>, connection: Connection) {
  const { runtime, principal, requestId } = connection;
  const toolsetNames = [...toolsetCounts(tools.values()).keys()];
  const server = new Server(
    { name: 'fieldline', title: 'Fieldline', version: API_VERSION },
    {
      capabilities: { tools: {}, resources: {} },
      instructions: INSTRUCTIONS,
    },
  );
  server.setRequestHandler(ListToolsRequestSchema, async (request) => {
    const listed = [...tools.values()]
      .filter((tool) => !tool.operation.scope || hasScope(principal, tool.operation.scope))
      .filter((tool) => inToolsets(tool, connection.toolsets))
      .map(toolDefinition);
    const { page, nextCursor } = pageOf([...discoveryTools(toolsetNames), ...listed], request.params?.cursor);
    return { tools: page, ...(nextCursor ? { nextCursor } : {}) };
  });
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const args = request.params.arguments ?? {};
    if (request.params.name === SEARCH_TOOLS) return searchTools(tools.values(), principal, args);
    if (request.params.name === DESCRIBE_TOOLS) return describeTools(tools, principal, args);
    const tool = tools.get(request.params.name);
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${request.params.name}`);
    return callTool(tool, { runtime, principal, args, requestId });
  });
  server.setRequestHandler(ListResourcesRequestSchema, async () => ({
    resources: Object.entries(RESOURCES).map(([uri, resource]) => ({ uri, ...resource, mimeType: 'application/json' })),
  }));
  server.setRequestHandler(ReadResourceRequestSchema, async (request) => {
    const uri = request.params.uri;
    if (!(uri in RESOURCES)) throw new McpError(ErrorCode.InvalidParams, `Unknown resource: ${uri}`);
    const text = uri === 'fieldline://openapi.json' ? JSON.stringify(api.document()) : JSON.stringify(ERROR_CATALOGUE);
    return { contents: [{ uri, mimeType: 'application/json', text }] };
  });
  return server;
}

function mcpOperation(api: () => Api) {
  const tools = toolTable(api);
  return defineOperation({
    method: 'post',
    path: MCP_PATH,
    operationId: 'mcp',
    tag: 'MCP',
    scope: null,
    summary: 'A Model Context Protocol message',
    undocumented: 'the MCP endpoint: its tools are the operations of this document',
    query: z.strictObject({
      toolsets: z
        .string()
        .max(2000)
        .optional()
        .describe('Comma-separated toolsets to list (`jobs,customers`), or `all`; default: the most used tools.'),
    }),
    body: z.unknown(),
    response: z.unknown(),
    challenge: (options: RuntimeOptions) =>
      `Bearer realm="fieldline", resource_metadata="${options.publicUrl}${RESOURCE_METADATA_PATH}${MCP_PATH}"`,
    bucket: {
      from: 'body',
      decide(body) {
        if (Array.isArray(body))
          throw new ApiError(
            'bad_request',
            'Send one JSON-RPC message per request: MCP over Streamable HTTP has no batches',
          );
        const message = body as Message | undefined;
        const name = message?.method === 'tools/call' ? message.params?.name : undefined;
        const tool = typeof name === 'string' ? tools().get(name) : undefined;
        const args = message?.params?.arguments;
        return tool
          ? toolBucket(tool, args && typeof args === 'object' ? (args as Record<string, unknown>) : {})
          : 'read';
      },
    },
    async handle({ runtime, principal, requestId, request, body, query }) {
      const known = new Set(toolsetCounts(tools().values()).keys());
      const toolsets = parseToolsets(query?.toolsets, known);
      const server = serverFor(api(), tools(), { runtime, principal, requestId, toolsets });
      const transport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: undefined,
        enableJsonResponse: true,
      });
      await server.connect(transport);
      try {
        return { response: await transport.handleRequest(request!, { parsedBody: body }) };
      } finally {
        void server.close();
      }
    },
  });
}

/** The MCP server needs the API it serves: the composition root makes it last, from the others. */
export function mcpModule(api: () => Api) {
  return defineModule({
    name: 'mcp',
    operations: () => [mcpOperation(api)],
    documents: [
      ...[RESOURCE_METADATA_PATH, `${RESOURCE_METADATA_PATH}${MCP_PATH}`].map((path) => ({
        path,
        anyOrigin: true,
        json: ({ options, registry }: Runtime) => ({
          resource: `${options.publicUrl}${MCP_PATH}`,
          authorization_servers: [`${options.publicUrl}/v1/auth`],
          scopes_supported: oauthScopes(registry),
          bearer_methods_supported: ['header'],
          resource_name: 'Fieldline MCP server',
        }),
      })),
    ],
  });
}
