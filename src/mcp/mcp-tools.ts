// The MCP tool table, read from the operation table: one tool per operation that names one
// (`customers_list`, `jobs_complete`, `search`; operations say why they have none). Each runs
// its operation in-process through invokeOperation, as an HTTP call would; its input schema and
// description come from the operation's OpenAPI entry.
import type { Api } from '../platform/api/build-api.ts';
import type { ApiResult, HttpMethod, Operation, OperationCall } from '../platform/api/operation.ts';
import type { RateBucket } from '../platform/api/traffic.ts';
import { invokeOperation } from '../platform/api/invoke-operation.ts';
import type { Principal } from '../platform/operations/principal.ts';
import { badRequest, validationFailed } from '../platform/errors.ts';
import { requestOf, toolInputOf, type ToolInput } from './tool-input-schema.ts';
import type { Runtime } from '../platform/contract.ts';

export interface ToolCall {
  runtime: Runtime;
  principal: Principal;
  args: Record<string, unknown>;
  requestId: string;
}

export interface McpTool {
  name: string;
  title: string;
  description: string;
  inputSchema: Record<string, unknown>;
  operation: Operation;
  run(call: ToolCall): Promise<ApiResult>;
}

type OpenApiDocument = { paths: Record<string, Record<string, any>>; components?: Record<string, any> };

function describe(operation: Record<string, any>, method: HttpMethod, path: string): string {
  return [operation.summary, operation.description, `(${method.toUpperCase()} ${path})`].filter(Boolean).join('\n\n');
}

/** Arguments the operation has no place for are a 400, as unknown query parameters are over HTTP. */
function requestFor(input: ToolInput, args: Record<string, unknown>) {
  const request = requestOf(input, args);
  if (request.unknown.length)
    throw badRequest(
      `Unknown argument: ${request.unknown.join(', ')}`,
      request.unknown.map((path) => ({ path, message: 'Unknown argument' })),
    );
  if (request.missing.length || request.invalid.length) {
    throw validationFailed([
      ...request.missing.map((path) => ({ path, message: 'Required' })),
      ...request.invalid.map((path) => ({ path, message: 'Expected a string or number' })),
    ]);
  }
  return request;
}

/** The bucket a tool call counts against: its operation's, decided by its arguments as by a query. */
export function toolBucket(tool: McpTool, args: Record<string, unknown>): RateBucket {
  const bucket = tool.operation.bucket;
  if (typeof bucket === 'string') return bucket;
  if (bucket.from === 'query') {
    const present = new URLSearchParams(
      Object.keys(args)
        .filter((name) => args[name] !== undefined)
        .map((name) => [name, '']),
    );
    return bucket.decide(present);
  }
  return 'write';
}

function toolOf(document: OpenApiDocument, operation: Operation, name: string): McpTool {
  const entry = document.paths[operation.path]?.[operation.method];
  if (!entry)
    throw new Error(`MCP: ${operation.method.toUpperCase()} ${operation.path} is not in the OpenAPI document`);
  const input = toolInputOf(document, entry);
  const optionalBody = operation.body && 'json' in operation.body && !operation.body.required;
  return {
    name,
    title: operation.summary,
    description: describe(entry, operation.method, operation.path),
    inputSchema: input.schema,
    operation,
    run: ({ runtime, principal, args, requestId }) => {
      const { params, query, body } = requestFor(input, args);
      const call: Omit<OperationCall, 'query'> & { query: URLSearchParams } = {
        runtime,
        principal,
        clientIp: null,
        params,
        query,
        body: body ?? (optionalBody ? {} : undefined),
        requestId,
        method: operation.method.toUpperCase(),
        path: operation.path,
        headers: new Headers(),
        refuseCredential: async () => undefined,
        attribute: () => undefined,
      };
      return invokeOperation(operation, call);
    },
  };
}

/** Every tool, in table order (names are checked unique when the table is built). */
export function mcpTools(api: Api): McpTool[] {
  const document = api.document() as unknown as OpenApiDocument;
  return api.operations.flatMap((operation) =>
    typeof operation.tool === 'string' ? [toolOf(document, operation, operation.tool)] : [],
  );
}
