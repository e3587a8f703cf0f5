// Zod schemas derived from a declaration: what create and update accept, what an object
// looks like. Validation and the OpenAPI document both read these; nothing restates them.
import { z } from 'zod';
import type { FieldSpec } from './fields.ts';
import type { ResourceDefinition } from '../contract.ts';

const cache = new WeakMap<ResourceDefinition, { create: z.ZodObject; update: z.ZodObject; object: z.ZodObject }>();

function describe(schema: z.ZodType, spec: FieldSpec): z.ZodType {
  const meta: Record<string, unknown> = {};
  if (spec.description) meta.description = spec.description;
  if (spec.example !== undefined) meta.examples = [spec.example];
  if (spec.writeOnly) meta.writeOnly = true;
  return Object.keys(meta).length ? schema.meta(meta) : schema;
}

function build(resource: ResourceDefinition) {
  const create: Record<string, z.ZodType> = {};
  const update: Record<string, z.ZodType> = {};
  const object: Record<string, z.ZodType> = {
    id: z.string().meta({ examples: [`${resource.idPrefix}_01JD3QZ7W7N5Q2T3V9X4Y6Z8AB`] }),
    object: z.literal(resource.name),
  };
  for (const [name, spec] of Object.entries(resource.fields)) {
    const value = describe(spec.schema, spec);
    // Required and defaulted fields are NOT NULL columns (resource-ddl.ts): null is refused, never stored.
    const alwaysPresent = spec.required || spec.defaultValue !== undefined;
    const stored = alwaysPresent ? value : value.nullable();
    if (!spec.writeOnly) object[name] = stored;
    if (spec.access === 'readOnly') continue;
    create[name] = spec.required ? value : stored.optional();
    if (spec.access === 'writable') update[name] = stored.optional();
  }
  object.created_at = z.iso.datetime();
  object.updated_at = z.iso.datetime();
  return {
    create: z.strictObject(create),
    update: z.strictObject(update),
    object: z.object(object).meta({ description: resource.description }),
  };
}

function schemasOf(resource: ResourceDefinition) {
  let schemas = cache.get(resource);
  if (!schemas) cache.set(resource, (schemas = build(resource)));
  return schemas;
}

export const createInputSchema = (resource: ResourceDefinition) => schemasOf(resource).create;
export const updateInputSchema = (resource: ResourceDefinition) => schemasOf(resource).update;
export const objectSchema = (resource: ResourceDefinition) => schemasOf(resource).object;
