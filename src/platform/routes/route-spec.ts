// A route of the public API, described once: the HTTP layer mounts it, the OpenAPI builder
// documents it, and later the MCP server and SDK generator read the same table.
import type { ResourceDefinition } from '../resource/define-resource.ts';
import type { Principal } from '../operations/principal.ts';
import type { RateBucket } from '../../limits/plans.ts';

export type RouteKind = 'list' | 'get' | 'create' | 'update' | 'delete' | 'bulk' | 'export' | 'action';
export type HttpMethod = 'get' | 'post' | 'patch' | 'delete';

export interface ApiRequest {
  principal: Principal;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  requestId: string;
}

export type ApiResult =
  | { status: number; body: unknown; location?: string; headers?: [string, string][] }
  | {
      status: number;
      stream: ReadableStream<Uint8Array>;
      contentType: string;
      filename?: string;
      headers?: Record<string, string>;
    };

export interface RouteSpec {
  kind: RouteKind;
  method: HttpMethod;
  /** OpenAPI-style path: `/v1/jobs/{id}/assign`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  resource: ResourceDefinition;
  actionName?: string;
  /** For a list nested under another collection's object: that collection (whose id is `{id}`). */
  parent?: ResourceDefinition;
  /** The scope a credential needs. */
  scope: string;
  /** 'required': a JSON object body; 'optional': an empty body counts as {}. */
  body: 'none' | 'required' | 'optional';
  successStatus: number;
  /** Other paths the same operation answers at (seed compatibility), named in its description rather than documented twice. */
  aliases?: readonly string[];
  handle(request: ApiRequest): Promise<ApiResult>;
}

/** The rate-limit bucket a call of the route counts against: a search (`q`) is as expensive as bulk and export. */
export function routeBucket(
  route: Pick<RouteSpec, 'kind' | 'method'>,
  query: { has(name: string): boolean },
): RateBucket {
  if (route.kind === 'bulk' || route.kind === 'export') return 'expensive';
  if (route.kind === 'list') return query.has('q') ? 'expensive' : 'read';
  return route.method === 'get' ? 'read' : 'write';
}
