// The MCP tool table, derived from the same route table and endpoints the HTTP API mounts: one
// tool per resource operation (`customers_list`, `customers_create`), one per action
// (`jobs_complete`), one per endpoint a resource declares, and `search`. Each runs its operation
// in-process; its input schema and description come from the operation's OpenAPI entry.
// Left out: nested lists (the collection's own list filters the same way), exports and
// uploads (streams and files are not tool arguments).
import type { RouteSpec, ApiResult, HttpMethod } from '../platform/routes/route-spec.ts';
import { routeBucket } from '../platform/routes/route-spec.ts';
import { parseEndpointBody, parseEndpointQuery, type EndpointSpec } from '../platform/routes/endpoint-spec.ts';
import type { Principal } from '../platform/operations/principal.ts';
import type { RateBucket } from '../limits/plans.ts';
import { badRequest, validationFailed } from '../platform/errors.ts';
import { requestOf, toolInputOf, type ToolInput } from './tool-input-schema.ts';
import { snakeCase as snake } from '../platform/naming.ts';

export interface ToolCall {
  principal: Principal;
  args: Record<string, unknown>;
  requestId: string;
}

export interface McpTool {
  name: string;
  title: string;
  description: string;
  inputSchema: Record<string, unknown>;
  /** The scope a credential needs (null: any credential). */
  scope: string | null;
  method: HttpMethod;
  /** The HTTP route this tool mirrors (for descriptions and the coverage inventory). */
  path: string;
  /** The resource collection, when the tool is one of a resource's. */
  collection?: string;
  bucket(args: Record<string, unknown>): RateBucket;
  run(call: ToolCall): Promise<ApiResult>;
}

type OpenApiDocument = { paths: Record<string, Record<string, any>>; components?: Record<string, any> };

function operationOf(document: OpenApiDocument, method: HttpMethod, path: string) {
  const operation = document.paths[path]?.[method];
  if (!operation) throw new Error(`MCP: ${method.toUpperCase()} ${path} is not in the OpenAPI document`);
  return operation;
}

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

function routeTool(document: OpenApiDocument, route: RouteSpec): McpTool {
  const operation = operationOf(document, route.method, route.path);
  const input = toolInputOf(document, operation);
  const verb = route.kind === 'action' ? snake(route.actionName!) : route.kind;
  return {
    name: `${snake(route.resource.collection)}_${verb}`,
    title: route.summary,
    description: describe(operation, route.method, route.path),
    inputSchema: input.schema,
    scope: route.scope,
    method: route.method,
    path: route.path,
    collection: route.resource.collection,
    bucket: (args) => routeBucket(route, { has: (name) => args[name] !== undefined }),
    run: ({ principal, args, requestId }) => {
      const { params, query, body } = requestFor(input, args);
      return route.handle({
        principal,
        params,
        query,
        body: body ?? (route.body === 'optional' ? {} : undefined),
        requestId,
      });
    },
  };
}

function endpointTool(document: OpenApiDocument, endpoint: EndpointSpec): McpTool {
  const operation = operationOf(document, endpoint.method, endpoint.path);
  const input = toolInputOf(document, operation);
  return {
    name: snake(endpoint.operationId),
    title: endpoint.summary,
    description: describe(operation, endpoint.method, endpoint.path),
    inputSchema: input.schema,
    scope: endpoint.scope,
    method: endpoint.method,
    path: endpoint.path,
    collection: endpoint.collection,
    bucket: () => endpoint.bucket,
    run: ({ principal, args, requestId }) => {
      const { params, query, body } = requestFor(input, args);
      return endpoint.handle({
        principal,
        params,
        query: parseEndpointQuery(endpoint, query),
        body: parseEndpointBody(endpoint, body),
        clientIp: null,
        requestId,
        method: endpoint.method.toUpperCase(),
        path: endpoint.path,
        headers: new Headers(),
      });
    },
  };
}

export interface ToolSources {
  routes: readonly RouteSpec[];
  /** The resources' own endpoints and search. */
  endpoints: readonly EndpointSpec[];
}

/** Why an operation is not a tool, if it is not (the coverage inventory prints it). */
export function notATool(operation: RouteSpec | EndpointSpec): string | undefined {
  if ('kind' in operation) {
    if (operation.parent) return "a nested list: the collection's own list tool takes the same filter";
    return operation.kind === 'export' ? 'a file: tools answer JSON' : undefined;
  }
  if (operation.upload) return 'an upload: tools carry no files';
  if (operation.responseMediaType) return 'a file or a stream: tools answer JSON';
  return (operation.authentication ?? 'credential') === 'credential'
    ? undefined
    : 'a step of signing in, not an operation of an account';
}

/** Every tool, in route order; two tools with one name is a declaration error found at start-up. */
export function mcpTools(document: OpenApiDocument, sources: ToolSources): McpTool[] {
  const tools = [
    ...sources.routes.filter((route) => !notATool(route)).map((route) => routeTool(document, route)),
    ...sources.endpoints.filter((endpoint) => !notATool(endpoint)).map((endpoint) => endpointTool(document, endpoint)),
  ];
  const names = new Set<string>();
  for (const tool of tools) {
    if (names.has(tool.name)) throw new Error(`MCP: two tools are named '${tool.name}'`);
    if (!/^[a-z0-9_]{1,64}$/.test(tool.name)) throw new Error(`MCP: '${tool.name}' is not a usable tool name`);
    names.add(tool.name);
  }
  return tools;
}
