// Zod -> JSON Schema 2020-12, the dialect of OpenAPI 3.1.
import { z } from 'zod';

const COMPONENT = 'x-fieldline-component';

/** Stands for an object of the API in an answer's schema (`z.array(componentRef('Job'))`); documented as a `$ref`. */
export const componentRef = (name: string) => z.record(z.string(), z.unknown()).meta({ [COMPONENT]: name });

function referToComponents({
  zodSchema,
  jsonSchema,
}: {
  zodSchema: z.core.$ZodType;
  jsonSchema: Record<string, unknown>;
}): void {
  const name = z.globalRegistry.get(zodSchema as z.ZodType)?.[COMPONENT];
  if (typeof name !== 'string') return;
  for (const key of Object.keys(jsonSchema)) delete jsonSchema[key];
  jsonSchema.$ref = `#/components/schemas/${name}`;
}

export function toJsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _dialect, ...jsonSchema } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
    override: referToComponents,
  }) as Record<string, unknown>;
  return jsonSchema;
}
