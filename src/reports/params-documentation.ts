// The params of every report type, in words, from their schemas (the reference says what each
// type takes without restating it by hand).
import { z } from 'zod';
import { REPORT_TYPES } from './report-types.ts';

interface JsonSchemaObject {
  properties?: Record<string, { description?: string }>;
  required?: string[];
}

export function paramsDocumentation(): string {
  return REPORT_TYPES.map((type) => {
    const schema = z.toJSONSchema(type.params, { io: 'input', unrepresentable: 'any' }) as JsonSchemaObject;
    const names = Object.keys(schema.properties ?? {}).map((name) =>
      schema.required?.includes(name) ? `\`${name}\` (required)` : `\`${name}\``,
    );
    return `\`${type.name}\`: ${names.length ? names.join(', ') : 'nothing'}.`;
  }).join(' ');
}
