// What the API offers, read once from its OpenAPI document: every scope, every event type and
// every operation. The portal's pickers list exactly what the server declares.
import { useQuery } from './use-query.ts';

export interface EventType {
  type: string;
  collection: string | null;
  description: string;
}

export interface OperationEntry {
  method: string;
  path: string;
  operationId: string;
  sdkName: string | undefined;
  summary: string;
  tag: string;
  scope: string | undefined;
  operation: Record<string, any>;
}

export interface RoleInfo {
  role: string;
  description: string;
  scopes: string[];
}

export interface Catalogue {
  scopes: string[];
  /** Member roles, in the order the API lists them. */
  roles: RoleInfo[];
  scopeDescriptions: Record<string, string>;
  events: EventType[];
  operations: OperationEntry[];
  document: Record<string, any>;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
let loading: Promise<Catalogue> | undefined;

export function loadCatalogue(): Promise<Catalogue> {
  loading ??= fetch('/openapi.json')
    .then(async (response) => {
      if (!response.ok) throw new Error(`The API description did not load (${response.status})`);
      const document = (await response.json()) as Record<string, any>;
      const operations: OperationEntry[] = [];
      for (const [path, item] of Object.entries<Record<string, any>>(document.paths ?? {})) {
        for (const method of METHODS) {
          const operation = item[method];
          if (!operation) continue;
          operations.push({
            method: method.toUpperCase(),
            path,
            operationId: operation.operationId,
            sdkName: operation['x-fieldline-sdk'],
            summary: operation.summary ?? operation.operationId,
            tag: operation.tags?.[0] ?? 'Other',
            scope: operation['x-fieldline-scope'],
            operation,
          });
        }
      }
      return {
        scopes: document['x-fieldline-scopes'] ?? [],
        roles: document['x-fieldline-roles'] ?? [],
        scopeDescriptions:
          document.components?.securitySchemes?.oauth2?.flows?.clientCredentials?.scopes ??
          document.components?.securitySchemes?.oauth2?.flows?.authorizationCode?.scopes ??
          {},
        events: document['x-fieldline-events'] ?? [],
        operations,
        document,
      };
    })
    .catch((error) => {
      loading = undefined;
      throw error;
    });
  return loading;
}

export function useCatalogue() {
  return useQuery(loadCatalogue, []);
}
