// A resource's own operations (`endpoints` in its declaration) -> operations of the table:
// mounted, gated and documented like every other, run in one tenant transaction with the
// context actions get. `{id}` in the path is an id of the resource: a malformed one is a 404
// before any query.
import { z } from 'zod';
import { withTenantTransaction } from '../../db/tenant-transaction.ts';
import { createOperationContext } from '../operations/operation-context.ts';
import { notFound } from '../errors.ts';
import { schemaName } from '../naming.ts';
import { defineOperation } from './define-operation.ts';
import { type Operation } from './operation.ts';
import type { Registry, ResourceDefinition, ResourceEndpointSpec } from '../contract.ts';
import { BinaryBody } from './upload.ts';

function operationOf(registry: Registry, resource: ResourceDefinition, spec: ResourceEndpointSpec): Operation {
  const reading = spec.method === 'get';
  const access = spec.access ?? (reading ? 'read' : 'write');
  const target = spec.respondsWith ? registry.get(spec.respondsWith) : undefined;
  const owner = spec.idOf ? registry.get(spec.idOf) : resource; // whose id `{id}` is
  return defineOperation<unknown, unknown>({
    method: spec.method,
    path: `${spec.base ?? `/v1/${resource.collection}`}${spec.path}`,
    operationId: spec.operationId,
    summary: spec.summary,
    description: spec.description,
    tag: schemaName(resource),
    collection: resource.collection,
    singular: resource.name,
    scope: `${access}:${resource.collection}`,
    bucket: spec.expensive ? 'expensive' : access,
    ...(reading ? { query: spec.input } : { body: spec.input }),
    response: spec.answers ?? z.unknown(),
    ...(target ? { responseComponent: schemaName(target) } : {}),
    params: spec.path.includes('{id}') ? { id: { pattern: `^${owner.idPrefix}_` } } : undefined,
    upload: spec.upload,
    responseMediaType: spec.producesMediaType,
    async handle({ runtime, principal, params, query, body, file, requestId }) {
      if (params.id !== undefined && !owner.acceptsId(params.id)) throw notFound(owner.name, params.id);
      const data = await withTenantTransaction(runtime.db, principal.accountId, (tx) =>
        spec.run({
          input: reading ? query : body,
          params,
          file,
          ctx: createOperationContext(tx, principal, runtime, requestId),
        }),
      );
      if (data instanceof BinaryBody)
        return {
          status: 200,
          stream: data.bytes instanceof ReadableStream ? data.bytes : new Blob([new Uint8Array(data.bytes)]).stream(),
          contentType: data.contentType,
          filename: data.filename,
        };
      return { status: 200, body: { data } };
    },
  });
}

export function resourceEndpoints(registry: Registry): Operation[] {
  return registry.resources.flatMap((resource) =>
    resource.endpoints.map((spec) => operationOf(registry, resource, spec)),
  );
}
