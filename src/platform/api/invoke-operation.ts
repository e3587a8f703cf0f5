// One call of an operation from what arrived (a query string, a decoded body): its query and
// body are checked against the operation's declaration, then it runs. HTTP routes and MCP tool
// calls both come through here, so both answer the same errors for the same input. Path and
// query values PostgreSQL cannot store (NUL, unpaired surrogates) are refused here, before any
// operation hands them to SQL (which would fail with a 500): no id holds them.
import type { z } from 'zod';
import { ApiError, badRequest, validationFailed } from '../errors.ts';
import { UNSTORABLE_TEXT } from '../storable-text.ts';
import { REPORT_INPUT, zodIssuesToFieldErrors } from '../operations/write-input.ts';
import type { ApiResult, BodySpec, Operation, OperationCall, QuerySpec } from './operation.ts';

/** A call before its query and body are read by the operation's rules. */
export type ArrivedCall = Omit<OperationCall<URLSearchParams, unknown>, 'query'> & { query: URLSearchParams };

/** Query string -> the operation's query; repeated or unknown parameters are a 400. */
export function parseQuery<Q>(spec: QuerySpec<Q> | undefined, params: URLSearchParams): Q {
  for (const [name, value] of params) {
    if (UNSTORABLE_TEXT.test(value) || UNSTORABLE_TEXT.test(name)) {
      const message = 'contains a NUL character or an unpaired surrogate, which is not allowed';
      throw badRequest(`${name}: ${message}`, [{ path: name, message }]);
    }
  }
  if (spec?.parse) return spec.parse(params);
  const raw: Record<string, string> = {};
  for (const [name, value] of params) {
    if (name in raw)
      throw badRequest(`${name}: given more than once`, [{ path: name, message: 'given more than once' }]);
    raw[name] = value;
  }
  if (!spec || !('schema' in spec)) {
    const [first] = Object.keys(raw);
    if (first)
      throw badRequest(`${first}: unknown query parameter`, [{ path: first, message: 'Unknown query parameter' }]);
    return undefined as Q;
  }
  const parsed = spec.schema.safeParse(raw);
  if (!parsed.success) {
    const errors = zodIssuesToFieldErrors(parsed.error.issues);
    throw badRequest(errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors);
  }
  return parsed.data;
}

function validate<B>(schema: z.ZodType<B>, value: unknown): B {
  const parsed = schema.safeParse(value, REPORT_INPUT);
  if (!parsed.success) throw validationFailed(zodIssuesToFieldErrors(parsed.error.issues));
  return parsed.data;
}

/** A decoded body -> the operation's body (a 422 naming each field that is wrong). */
export function parseBody<B>(spec: BodySpec<B> | undefined, body: unknown): B {
  if (!spec) return undefined as B;
  if ('json' in spec) return spec.parse ? spec.parse(body) : validate(spec.json, body ?? {});
  if ('form' in spec) return validate(spec.form, body ?? {});
  if ('upload' in spec) return spec.fields ? validate(spec.fields, body ?? {}) : (body as B);
  return body as B;
}

/** A path parameter no object can have: 404, as for any id that names nothing. */
function refuseUnstorableParams(params: Record<string, string> | undefined): void {
  for (const [name, value] of Object.entries(params ?? {})) {
    if (typeof value === 'string' && UNSTORABLE_TEXT.test(value))
      throw new ApiError('not_found', `No such object: the ${name} contains a NUL character or an unpaired surrogate`);
  }
}

export function invokeOperation(operation: Operation, call: ArrivedCall): Promise<ApiResult> {
  refuseUnstorableParams(call.params);
  return operation.handle({
    ...call,
    query: parseQuery(operation.query, call.query),
    body: parseBody(operation.body, call.body),
  });
}
