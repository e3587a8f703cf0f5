// POST /mcp: the Model Context Protocol over Streamable HTTP, for AI agents. Stateless: every
// request carries one message (MCP 2025-06-18 has no batches), authenticates like any API call
// (API key, OAuth token or session), is charged once to the caller's rate limit and quota (a
// tool call in its operation's bucket), honours Idempotency-Key like any POST, and gets a
// server that lists only the tools its credential's scopes allow. A tool call runs its operation
// in-process, tenant-scoped and scope-checked; a failure is a tool result holding the problem
// details, so the agent can read why. The OAuth challenge points clients at RFC 9728 metadata
// naming our authorization server.
import type { Context, Hono } from 'hono';
import type { Logger } from 'pino';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  type CallToolResult,
} from '@modelcontextprotocol/sdk/types.js';
import { ApiError, ERROR_CATALOGUE } from '../platform/errors.ts';
import { toApiError } from '../platform/database-errors.ts';
import { hasScope, type Principal } from '../platform/operations/principal.ts';
import { API_VERSION } from '../platform/openapi/build-openapi.ts';
import { chargeCall, routeGate, type GateServices } from '../http/route-gate.ts';
import { jsonBody } from '../http/json-body.ts';
import { idempotency } from '../http/idempotency.ts';
import type { Database } from '../db/database.ts';
import type { SecretBox } from '../platform/secret-box.ts';
import type { McpTool } from './mcp-tools.ts';
import '../http/context-variables.ts';

export const MCP_PATH = '/mcp';
const RESOURCE_METADATA_PATH = '/.well-known/oauth-protected-resource';

export interface McpOptions extends GateServices {
  /** Built on first use: deriving ~280 tools costs ~20 ms, which apps that never see an agent need not pay. */
  tools: () => readonly McpTool[];
  openapi: unknown;
  publicUrl: string;
  /** The scopes an OAuth client may ask for (named in the protected resource metadata). */
  oauthScopes: readonly string[];
  maxBodyBytes: number;
  logger: Logger;
  db: Database;
  secrets: SecretBox;
}

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

const readOnly = (tool: McpTool) => tool.method === 'get';

function once<T>(build: () => T): () => T {
  let value: { built: T } | undefined;
  return () => (value ??= { built: build() }).built;
}

export function mountMcp(app: Hono, options: McpOptions): void {
  const toolsByName = once(() => new Map(options.tools().map((tool) => [tool.name, tool])));
  const resourceTexts = once((): Record<string, string> => ({
    'fieldline://openapi.json': JSON.stringify(options.openapi),
    'fieldline://errors.json': JSON.stringify(ERROR_CATALOGUE),
  }));
  const resourceMetadata = {
    resource: `${options.publicUrl}${MCP_PATH}`,
    authorization_servers: [`${options.publicUrl}/v1/auth`],
    scopes_supported: options.oauthScopes,
    bearer_methods_supported: ['header'],
    resource_name: 'Fieldline MCP server',
  };
  // Public metadata: any page may read it.
  for (const path of [RESOURCE_METADATA_PATH, `${RESOURCE_METADATA_PATH}${MCP_PATH}`]) {
    app.get(path, (c) =>
      c.json(resourceMetadata, 200, { 'Access-Control-Allow-Origin': '*', 'Cache-Control': 'public, max-age=300' }),
    );
  }

  // Limits are charged per message below (a tool call by its operation's bucket), not per HTTP request.
  const gate = routeGate({ path: MCP_PATH, scope: null, bucket: () => 'read' }, { ...options, enforceLimits: false });
  const challenge = `Bearer realm="fieldline", resource_metadata="${options.publicUrl}${RESOURCE_METADATA_PATH}${MCP_PATH}"`;
  app.post(
    MCP_PATH,
    async function authenticateAgent(c, next) {
      try {
        await gate(c, next);
      } catch (error) {
        if (error instanceof ApiError && error.code === 'unauthenticated')
          error.extra.headers = { ...error.extra.headers, 'WWW-Authenticate': challenge };
        throw error;
      }
    },
    jsonBody({ maxBytes: options.maxBodyBytes, optional: false }),
    async function chargeMessage(c, next) {
      const message = c.get('body') as
        { method?: unknown; params?: { name?: unknown; arguments?: unknown } } | unknown[];
      if (Array.isArray(message))
        throw new ApiError(
          'bad_request',
          'Send one JSON-RPC message per request: MCP over Streamable HTTP has no batches',
        );
      // One charge per request, in the bucket of what it does: a tool call as the operation it runs, anything else as a read.
      const tool =
        message?.method === 'tools/call' && typeof message.params?.name === 'string'
          ? toolsByName().get(message.params.name)
          : undefined;
      const args = message?.params?.arguments;
      if (options.enforceLimits)
        await chargeCall(
          options,
          c.get('principal'),
          tool ? tool.bucket(args && typeof args === 'object' ? (args as Record<string, unknown>) : {}) : 'read',
        );
      await next();
    },
    idempotency(options),
    async function answerAgent(c) {
      const principal = c.get('principal');
      const server = serverFor(principal, c.get('requestId'));
      const transport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: undefined,
        enableJsonResponse: true,
      });
      await server.connect(transport);
      try {
        return await transport.handleRequest(c.req.raw, { parsedBody: c.get('body') });
      } finally {
        void server.close();
      }
    },
  );
  app.on(['GET', 'DELETE'], MCP_PATH, (c: Context) => {
    throw new ApiError('method_not_allowed', 'This MCP server is stateless: POST each message', {
      headers: { Allow: 'POST' },
    });
  });

  function serverFor(principal: Principal, requestId: string): Server {
    const server = new Server(
      { name: 'fieldline', title: 'Fieldline', version: API_VERSION },
      {
        capabilities: { tools: {}, resources: {} },
        instructions:
          "Fieldline is a field-service CRM: customers, jobs, quotes, invoices and more of one account (the credential's). " +
          'Each tool mirrors one REST operation; lists take the same filters and return `has_more` and `next_cursor` for the next page. ' +
          'A failed call answers with RFC 9457 problem details whose `code` is in the errors resource.',
      },
    );
    server.setRequestHandler(ListToolsRequestSchema, async () => ({
      tools: [...toolsByName().values()]
        .filter((tool) => !tool.scope || hasScope(principal, tool.scope))
        .map((tool) => ({
          name: tool.name,
          title: tool.title,
          description: tool.description,
          inputSchema: tool.inputSchema as { type: 'object' },
          annotations: {
            readOnlyHint: readOnly(tool),
            destructiveHint: tool.method === 'delete',
            idempotentHint: tool.method !== 'post',
            openWorldHint: false,
          },
        })),
    }));
    server.setRequestHandler(CallToolRequestSchema, async (request) => {
      const tool = toolsByName().get(request.params.name);
      if (!tool) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${request.params.name}`);
      return callTool(tool, principal, request.params.arguments ?? {}, requestId);
    });
    server.setRequestHandler(ListResourcesRequestSchema, async () => ({
      resources: Object.entries(RESOURCES).map(([uri, resource]) => ({
        uri,
        ...resource,
        mimeType: 'application/json',
      })),
    }));
    server.setRequestHandler(ReadResourceRequestSchema, async (request) => {
      const uri = request.params.uri;
      if (!(uri in RESOURCES)) throw new McpError(ErrorCode.InvalidParams, `Unknown resource: ${uri}`);
      return { contents: [{ uri, mimeType: 'application/json', text: resourceTexts()[uri] }] };
    });
    return server;
  }

  async function callTool(
    tool: McpTool,
    principal: Principal,
    args: Record<string, unknown>,
    requestId: string,
  ): Promise<CallToolResult> {
    try {
      if (tool.scope && !hasScope(principal, tool.scope)) {
        throw new ApiError('insufficient_scope', `This tool needs the scope '${tool.scope}'`, {
          required_scope: tool.scope,
        });
      }
      const result = await tool.run({ principal, args, requestId });
      if ('stream' in result) {
        return {
          isError: true,
          content: [
            {
              type: 'text',
              text: `This answer is a file (${result.contentType}): fetch it over HTTP with ${tool.method.toUpperCase()} ${tool.path}`,
            },
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
        options.logger.error({ err: error, request_id: requestId, tool: tool.name }, 'MCP tool call failed');
        problem = new ApiError(
          'internal_error',
          'Something went wrong on our side; the request id identifies it in our logs',
        );
      }
      return { isError: true, content: [{ type: 'text', text: JSON.stringify(problem.toProblem(requestId)) }] };
    }
  }
}
