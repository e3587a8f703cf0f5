// A resource declaration -> its generated operations: list, create, export, bulk, get, update,
// delete and one per action, in an order where static segments (export, bulk) come before `{id}`.
import { z } from 'zod';
import { listOperation } from '../operations/list.ts';
import { getOperation } from '../operations/get.ts';
import {
  createOperation,
  deleteOperation,
  runActionOperation,
  updateOperation,
} from '../operations/write-operations.ts';
import { bulkOperation, bulkRequestSchema } from '../operations/bulk.ts';
import { exportOperation } from '../operations/export.ts';
import { recordRead } from '../../audit/record-read.ts';
import { actionInputSchema } from '../operations/run-action.ts';
import { parseCreateInput, parseUpdateInput } from '../operations/write-input.ts';
import { componentRef } from '../openapi/json-schema.ts';
import { getParameters, listParameters } from '../openapi/list-parameters.ts';
import { camelCase as camel, pascalCase as pascal, schemaName, snakeCase as snake } from '../naming.ts';
import { customSdkName } from '../openapi/sdk-name.ts';
import type { BucketRule, Operation, OperationKind } from './operation.ts';
import type { Registry, ResourceDefinition } from '../contract.ts';

/** `{ data }` around an answer's schema. */
export const dataOf = (schema: z.ZodType) => z.object({ data: schema });

/** The object plus members only this answer carries (a new secret), documented by name. */
function withRevealed(object: z.ZodType, revealed: Record<string, string> | undefined): z.ZodType {
  if (!revealed) return object;
  // Timestamps are named `*_at` throughout the API.
  const member = (name: string, description: string) =>
    z.string().meta({ ...(name.endsWith('_at') ? { format: 'date-time' } : {}), description });
  const members = Object.entries(revealed).map(([name, description]) => [name, member(name, description)]);
  return z.intersection(object, z.object(Object.fromEntries(members)));
}

const rawQuery = (parameters: readonly unknown[]) => ({ parse: (raw: URLSearchParams) => raw, parameters });
/** A search (`q`) costs as much as an export. */
const listBucket: BucketRule = { from: 'query', decide: (query) => (query.has('q') ? 'expensive' : 'read') };

function operationsOf(registry: Registry, resource: ResourceDefinition): Operation[] {
  const base = `/v1/${resource.collection}`;
  const item = `${base}/{id}`;
  const read = `read:${resource.collection}`;
  const write = `write:${resource.collection}`;
  const Name = schemaName(resource);
  const Plural = pascal(resource.collection);
  const words = resource.collection.replace(/-/g, ' ');
  const object = componentRef(Name);
  const namespace = camel(resource.collection);
  const idParam = (owner: ResourceDefinition) => ({ id: { pattern: `^${owner.idPrefix}_` } });
  const generated = (kind: OperationKind, verb = kind as string) => ({
    kind,
    collection: resource.collection,
    tag: Name,
    authentication: 'credential' as const,
    sdk: `${namespace}.${camel(verb)}`,
    tool: `${snake(resource.collection)}_${snake(verb)}`,
  });
  const has = (operation: Parameters<typeof resource.operations.has>[0]) => resource.operations.has(operation);
  const operations: Operation[] = [];

  for (const nested of resource.listedUnder ?? []) {
    const parent = registry.get(nested.collection);
    operations.push({
      ...generated('list'),
      listedUnder: parent.collection,
      method: 'get',
      path: `/v1/${parent.collection}/{id}/${nested.segment}`,
      params: idParam(parent),
      scope: read,
      bucket: listBucket,
      // `listContactNotes` would be the notes collection's own list, so nested lists say whose.
      operationId: `list${pascal(nested.segment)}Of${pascal(parent.name)}`,
      summary: `List the ${words} of a ${parent.name.replace(/_/g, ' ')}`,
      description: `The same as \`GET ${base}?${nested.field}={id}\`, with the same filters and paging.`,
      sdk: `${camel(parent.collection)}.list${pascal(nested.segment)}`,
      tool: { excluded: "a nested list: the collection's own list tool takes the same filter" },
      query: rawQuery(listParameters(resource, false)),
      response: { status: 200, description: 'A page of objects.', json: componentRef(`${Name}List`) },
      handle: async ({ runtime, principal, params, query }) => {
        // 404 unless the account has the parent.
        await getOperation(runtime, parent, principal, params.id, new URLSearchParams('fields=id'));
        const filtered = new URLSearchParams(query);
        filtered.set(nested.field, params.id);
        return { status: 200, body: await listOperation(runtime, resource, principal, filtered) };
      },
    });
  }
  if (has('list'))
    operations.push({
      ...generated('list'),
      method: 'get',
      path: base,
      operationId: `list${Plural}`,
      scope: read,
      bucket: listBucket,
      summary: `List ${words}`,
      query: rawQuery(listParameters(resource, false)),
      response: { status: 200, description: 'A page of objects.', json: componentRef(`${Name}List`) },
      handle: async ({ runtime, principal, query }) => {
        const body = await listOperation(runtime, resource, principal, query);
        if (resource.auditReads)
          await recordRead(runtime.db, principal, {
            action: `${resource.name}.read`,
            resourceType: resource.name,
            changes: { query: query.toString(), count: body.data.length },
          });
        return { status: 200, body };
      },
    });
  if (has('create'))
    operations.push({
      ...generated('create'),
      method: 'post',
      path: base,
      operationId: `create${pascal(resource.name)}`,
      scope: write,
      feature: resource.feature,
      bucket: 'write',
      summary: `Create a ${resource.name}`,
      description: resource.acceptedOnCreate,
      body: { json: componentRef(`${Name}Create`), required: true, parse: (raw) => parseCreateInput(resource, raw) },
      response: {
        status: resource.acceptedOnCreate ? 202 : 201,
        description: resource.acceptedOnCreate ? 'The created object; its work continues.' : 'The created object.',
        headers: ['Location'],
        json: dataOf(withRevealed(object, resource.revealedOnCreate)),
      },
      handle: async ({ runtime, principal, body, requestId }) => {
        const data = await createOperation(runtime, resource, principal, body, requestId);
        return { status: resource.acceptedOnCreate ? 202 : 201, body: { data }, location: `${base}/${data.id}` };
      },
    });
  if (has('export'))
    operations.push({
      ...generated('export'),
      method: 'get',
      path: `${base}/export`,
      operationId: `export${Plural}`,
      scope: read,
      bucket: 'expensive',
      summary: `Export ${words} as CSV or JSON`,
      description:
        `Streams every object matching the same filters, search and sort as the list. ` +
        `Also answers at \`/v1/exports/${resource.collection}\`.`,
      aliases: [`/v1/exports/${resource.collection}`],
      tool: { excluded: 'a file: tools answer JSON' },
      query: rawQuery(listParameters(resource, true)),
      response: {
        status: 200,
        description: 'Every matching object, streamed.',
        content: { 'text/csv': z.string(), 'application/json': z.array(object) },
      },
      handle: async ({ runtime, principal, query }) => {
        const out = exportOperation(runtime, resource, principal, query);
        // Once the query is known good: what was exported, by whom, is in the audit trail.
        await recordRead(runtime.db, principal, {
          action: `${resource.name}.exported`,
          resourceType: resource.name,
          changes: { query: query.toString() },
        });
        return { status: 200, stream: out.body, contentType: out.contentType, filename: out.filename };
      },
    });
  if (has('bulk'))
    operations.push({
      ...generated('bulk'),
      method: 'post',
      path: `${base}/bulk`,
      operationId: `bulk${Plural}`,
      scope: write,
      bucket: 'expensive',
      summary: `Create, update and delete ${words} in one all-or-nothing request`,
      body: { json: bulkRequestSchema(resource), required: true, parse: (raw) => raw },
      response: {
        status: 200,
        description: 'Every item succeeded, in request order.',
        json: dataOf(z.array(componentRef('BulkResult'))),
      },
      handle: async ({ runtime, principal, body, requestId }) => ({
        status: 200,
        body: { data: await bulkOperation(runtime, resource, principal, body, requestId) },
      }),
    });
  if (has('get'))
    operations.push({
      ...generated('get'),
      method: 'get',
      path: item,
      params: idParam(resource),
      operationId: `get${pascal(resource.name)}`,
      scope: read,
      bucket: 'read',
      summary: `Retrieve a ${resource.name}`,
      query: rawQuery(getParameters(resource)),
      response: { status: 200, description: 'The object.', json: dataOf(object) },
      handle: async ({ runtime, principal, params, query }) => {
        const data = await getOperation(runtime, resource, principal, params.id, query);
        if (resource.auditReads)
          await recordRead(runtime.db, principal, {
            action: `${resource.name}.read`,
            resourceType: resource.name,
            resourceId: params.id,
          });
        return { status: 200, body: { data } };
      },
    });
  if (has('update'))
    operations.push({
      ...generated('update'),
      method: 'patch',
      path: item,
      params: idParam(resource),
      operationId: `update${pascal(resource.name)}`,
      scope: write,
      bucket: 'write',
      summary: `Update a ${resource.name}`,
      body: { json: componentRef(`${Name}Update`), required: true, parse: (raw) => parseUpdateInput(resource, raw) },
      response: { status: 200, description: 'The object.', json: dataOf(object) },
      handle: async ({ runtime, principal, params, body, requestId }) => ({
        status: 200,
        body: { data: await updateOperation(runtime, resource, principal, params.id, body, requestId) },
      }),
    });
  if (has('delete'))
    operations.push({
      ...generated('delete'),
      method: 'delete',
      path: item,
      params: idParam(resource),
      operationId: `delete${pascal(resource.name)}`,
      scope: write,
      bucket: 'write',
      summary: `Delete a ${resource.name}`,
      response: { status: 200, description: 'The object was deleted.', json: dataOf(componentRef('DeletedObject')) },
      handle: async ({ runtime, principal, params, requestId }) => ({
        status: 200,
        body: { data: await deleteOperation(runtime, resource, principal, params.id, requestId) },
      }),
    });
  for (const [name, action] of Object.entries(resource.actions)) {
    if (action.internal) continue;
    const target = action.respondsWith ? registry.get(action.respondsWith) : undefined;
    // An action that creates another object (an invoice's payment) says where it lives, as a create does.
    const creates = action.status === 201 ? target : undefined;
    const operationId = action.operationId ?? `${camel(name)}${pascal(resource.name)}`;
    const accepted = action.status === 202 ? 'Accepted: the work is queued. ' : '';
    const gates = registry.gatesOf(resource.collection, name);
    operations.push({
      ...generated('action', name),
      action: name,
      feature: action.feature,
      method: 'post',
      path: `${item}/${name}`,
      params: idParam(resource),
      operationId,
      // An action that names its own operation (`recordInvoicePayment` for `payments`) says more than its path segment.
      ...(action.operationId
        ? {
            sdk: customSdkName(
              { collection: resource.collection, path: `${item}/${name}`, operationId },
              resource.name,
            ),
          }
        : {}),
      scope: write,
      bucket: 'write',
      summary: action.summary,
      description: action.description,
      body: { json: actionInputSchema(action), required: false },
      response: target
        ? {
            status: action.status ?? 200,
            description: `The ${target.name} created.`,
            ...(creates ? { headers: ['Location'] } : {}),
            json: dataOf(componentRef(schemaName(target))),
          }
        : {
            status: action.status ?? 200,
            description: action.answers ? `${accepted}The result.` : `${accepted}The object after the action.`,
            json: dataOf(action.answers ?? withRevealed(object, action.reveals)),
          },
      ...(gates.length && {
        alsoResponds: gates.map((gate) => ({
          status: 202,
          description: `Held: the action waits for ${gate.name} (it runs when approved, never when rejected).`,
          json: dataOf(componentRef(gate.answersWith)),
        })),
      }),
      handle: async ({ runtime, principal, params, body, requestId }) => {
        const result = await runActionOperation(runtime, resource, principal, params.id, name, body, requestId);
        return {
          status: result.status ?? action.status ?? 200,
          body: { data: result.data },
          ...(creates && !result.status ? { location: `/v1/${creates.collection}/${result.data.id}` } : {}),
        };
      },
    });
  }
  return operations;
}

/** Every resource's generated operations, in registry order. */
export function resourceOperations(registry: Registry): Operation[] {
  return registry.resources.flatMap((resource) => operationsOf(registry, resource));
}
