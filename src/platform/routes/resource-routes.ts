// Registry -> route table. Every resource gets the same routes, in an order where static
// segments (export, bulk) come before `{id}`.
import type { Registry } from '../registry.ts';
import type { ResourceDefinition } from '../resource/define-resource.ts';
import type { Runtime } from '../operations/runtime.ts';
import { listOperation } from '../operations/list.ts';
import { getOperation } from '../operations/get.ts';
import { createOperation } from '../operations/create.ts';
import { updateOperation } from '../operations/update.ts';
import { deleteOperation } from '../operations/delete.ts';
import { bulkOperation } from '../operations/bulk.ts';
import { exportOperation } from '../operations/export.ts';
import { runActionOperation } from '../operations/run-action.ts';
import type { RouteSpec } from './route-spec.ts';
import { camelCase as camel, pascalCase as pascal } from '../naming.ts';

function routesOf(runtime: Runtime, registry: Registry, resource: ResourceDefinition): RouteSpec[] {
  const base = `/v1/${resource.collection}`;
  const item = `${base}/{id}`;
  const read = `read:${resource.collection}`;
  const write = `write:${resource.collection}`;
  const Name = pascal(resource.name);
  const Plural = pascal(resource.collection);
  const has = (operation: Parameters<typeof resource.operations.has>[0]) => resource.operations.has(operation);
  const routes: RouteSpec[] = [];

  for (const nested of resource.listedUnder ?? []) {
    const parent = registry.get(nested.collection);
    routes.push({
      kind: 'list',
      method: 'get',
      path: `/v1/${parent.collection}/{id}/${nested.segment}`,
      resource,
      parent,
      scope: read,
      body: 'none',
      successStatus: 200,
      // `listContactNotes` would be the notes collection's own list, so nested lists say whose.
      operationId: `list${pascal(nested.segment)}Of${pascal(parent.name)}`,
      summary: `List the ${resource.collection.replace(/-/g, ' ')} of a ${parent.name.replace(/_/g, ' ')}`,
      description: `The same as \`GET ${base}?${nested.field}={id}\`, with the same filters and paging.`,
      handle: async (r) => {
        await getOperation(runtime, parent, r.principal, r.params.id, new URLSearchParams('fields=id')); // 404 unless the account has it
        const query = new URLSearchParams(r.query);
        query.set(nested.field, r.params.id);
        return { status: 200, body: await listOperation(runtime, resource, r.principal, query) };
      },
    });
  }
  if (has('list'))
    routes.push({
      kind: 'list',
      method: 'get',
      path: base,
      operationId: `list${Plural}`,
      resource,
      scope: read,
      body: 'none',
      successStatus: 200,
      summary: `List ${resource.collection.replace(/-/g, ' ')}`,
      handle: async (r) => ({ status: 200, body: await listOperation(runtime, resource, r.principal, r.query) }),
    });
  if (has('create'))
    routes.push({
      kind: 'create',
      method: 'post',
      path: base,
      operationId: `create${Name}`,
      resource,
      scope: write,
      body: 'required',
      successStatus: 201,
      summary: `Create a ${resource.name}`,
      handle: async (r) => {
        const data = await createOperation(runtime, resource, r.principal, r.body, r.requestId);
        return { status: 201, body: { data }, location: `${base}/${data.id}` };
      },
    });
  if (has('export'))
    routes.push({
      kind: 'export',
      method: 'get',
      path: `${base}/export`,
      operationId: `export${Plural}`,
      resource,
      scope: read,
      body: 'none',
      successStatus: 200,
      summary: `Export ${resource.collection.replace(/-/g, ' ')} as CSV or JSON`,
      description: `Streams every object matching the same filters, search and sort as the list. Also answers at \`/v1/exports/${resource.collection}\`.`,
      aliases: [`/v1/exports/${resource.collection}`],
      handle: async (r) => {
        const out = exportOperation(runtime, resource, r.principal, r.query);
        return { status: 200, stream: out.body, contentType: out.contentType, filename: out.filename };
      },
    });
  if (has('bulk'))
    routes.push({
      kind: 'bulk',
      method: 'post',
      path: `${base}/bulk`,
      operationId: `bulk${Plural}`,
      resource,
      scope: write,
      body: 'required',
      successStatus: 200,
      summary: `Create, update and delete ${resource.collection.replace(/-/g, ' ')} in one all-or-nothing request`,
      handle: async (r) => ({
        status: 200,
        body: { data: await bulkOperation(runtime, resource, r.principal, r.body, r.requestId) },
      }),
    });
  if (has('get'))
    routes.push({
      kind: 'get',
      method: 'get',
      path: item,
      operationId: `get${Name}`,
      resource,
      scope: read,
      body: 'none',
      successStatus: 200,
      summary: `Retrieve a ${resource.name}`,
      handle: async (r) => ({
        status: 200,
        body: { data: await getOperation(runtime, resource, r.principal, r.params.id, r.query) },
      }),
    });
  if (has('update'))
    routes.push({
      kind: 'update',
      method: 'patch',
      path: item,
      operationId: `update${Name}`,
      resource,
      scope: write,
      body: 'required',
      successStatus: 200,
      summary: `Update a ${resource.name}`,
      handle: async (r) => ({
        status: 200,
        body: { data: await updateOperation(runtime, resource, r.principal, r.params.id, r.body, r.requestId) },
      }),
    });
  if (has('delete'))
    routes.push({
      kind: 'delete',
      method: 'delete',
      path: item,
      operationId: `delete${Name}`,
      resource,
      scope: write,
      body: 'none',
      successStatus: 200,
      summary: `Delete a ${resource.name}`,
      handle: async (r) => ({
        status: 200,
        body: { data: await deleteOperation(runtime, resource, r.principal, r.params.id, r.requestId) },
      }),
    });
  for (const [name, action] of Object.entries(resource.actions)) {
    if (action.internal) continue;
    // An action that creates another object (an invoice's payment) says where it lives, as a create does.
    const creates = action.status === 201 && action.respondsWith ? registry.get(action.respondsWith) : undefined;
    routes.push({
      kind: 'action',
      method: 'post',
      path: `${item}/${name}`,
      operationId: action.operationId ?? `${camel(name)}${Name}`,
      resource,
      actionName: name,
      scope: write,
      body: 'optional',
      successStatus: action.status ?? 200,
      summary: action.summary,
      description: action.description,
      handle: async (r) => {
        const result = await runActionOperation(runtime, resource, r.principal, r.params.id, name, r.body, r.requestId);
        return {
          status: action.status ?? 200,
          body: { data: result.data },
          ...(creates ? { location: `/v1/${creates.collection}/${result.data.id}` } : {}),
        };
      },
    });
  }
  return routes;
}

export function resourceRoutes(runtime: Runtime, registry: Registry): RouteSpec[] {
  return registry.resources.flatMap((resource) => routesOf(runtime, registry, resource));
}
