// Validates write bodies against a declaration. Unknown fields and server-owned fields are
// rejected with their own messages (never silently dropped), then Zod checks the values.
import type { z } from 'zod';
import { SERVER_OWNED } from '../resource/define-resource.ts';
import { createInputSchema, updateInputSchema } from '../resource/schemas.ts';
import { validationFailed, type FieldError } from '../errors.ts';
import type { Row } from '../../db/database.ts';
import type { ResourceDefinition } from '../contract.ts';

/** Parse options under which an issue carries its input, so a refused null can say so (zodIssuesToFieldErrors). */
export const REPORT_INPUT = { reportInput: true } as const;

/** A null where a value is needed (Zod says "expected string, received null", or lists an enum's values). */
const refusedNull = (issue: z.core.$ZodIssue) =>
  issue.input === null && ['invalid_type', 'invalid_value', 'invalid_union'].includes(issue.code);

/**
 * Zod issues -> field errors; an unrecognized-keys issue becomes one error per key, at that key's path,
 * and a null (parsed with REPORT_INPUT) where none is allowed 'must not be null'.
 */
export function zodIssuesToFieldErrors(issues: readonly z.core.$ZodIssue[], prefix = ''): FieldError[] {
  const pathOf = (...parts: PropertyKey[]) => [prefix, ...parts.map(String)].filter(Boolean).join('.');
  return issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: pathOf(...issue.path, key), message: 'is not a known field' }))
      : [{ path: pathOf(...issue.path), message: refusedNull(issue) ? 'must not be null' : issue.message }],
  );
}

function checkKeys(
  resource: ResourceDefinition,
  body: Record<string, unknown>,
  mode: 'create' | 'update',
): FieldError[] {
  const errors: FieldError[] = [];
  for (const key of Object.keys(body)) {
    const spec = resource.fields[key];
    if (SERVER_OWNED.has(key) || spec?.access === 'readOnly') {
      const how = resource.lifecycle?.field === key ? ' (it changes only through actions)' : '';
      errors.push({ path: key, message: `is read-only and cannot be written${how}` });
    } else if (!spec) errors.push({ path: key, message: 'is not a field of this resource' });
    else if (mode === 'update' && spec.access === 'createOnly')
      errors.push({ path: key, message: 'cannot be changed after creation' });
  }
  return errors;
}

function parseWith(schema: z.ZodObject, resource: ResourceDefinition, body: unknown, mode: 'create' | 'update'): Row {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw validationFailed([{ path: '', message: 'The request body must be a JSON object' }]);
  }
  const keyErrors = checkKeys(resource, body as Record<string, unknown>, mode);
  if (keyErrors.length) throw validationFailed(keyErrors);
  const result = schema.safeParse(body, REPORT_INPUT);
  if (!result.success) throw validationFailed(zodIssuesToFieldErrors(result.error.issues));
  return result.data as Row;
}

/** The validated fields of a create body, defaults not yet applied. */
export const parseCreateInput = (resource: ResourceDefinition, body: unknown) =>
  parseWith(createInputSchema(resource), resource, body, 'create');
/** The validated fields of a PATCH body (merge semantics: absent = unchanged, null = cleared if nullable). */
export const parseUpdateInput = (resource: ResourceDefinition, body: unknown) =>
  parseWith(updateInputSchema(resource), resource, body, 'update');
