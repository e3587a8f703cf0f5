// A hand-declared operation (`/v1/rate-limit`, `/v1/auth/sign-in`) in the short form modules
// write: Zod schemas for its query, body and `data`, and what it does. defineOperation fills in
// the rest of the Operation the same way for all: its SDK name, its MCP tool, its response.
import type { z } from 'zod';
import { componentRef } from '../openapi/json-schema.ts';
import { customSdkName } from '../openapi/sdk-name.ts';
import { snakeCase } from '../naming.ts';
import { dataOf } from './resource-operations.ts';
import type { ApiResult, Authentication, BodySpec, HttpMethod, Operation, OperationCall } from './operation.ts';
import type { UploadSpec } from './upload.ts';

export interface OperationDeclaration<Q, B> {
  method: HttpMethod;
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  /** The resource collection that declares it (its SDK namespace), if one does. */
  collection?: string;
  /** The collection's object name, when `collection` is given (`contact`: `tagContact` -> `contacts.tag`). */
  singular?: string;
  scope: string | null;
  /** Default: `credential`. */
  authentication?: Authentication;
  bucket: Operation['bucket'];
  /** The plan capability it is an entry point of (see Operation). */
  feature?: Operation['feature'];
  query?: z.ZodType<Q>;
  /** Documents a query the operation reads itself from `call.request` (a protocol's, passed on as it came). */
  rawQuery?: z.ZodType;
  /** A JSON body (an empty one reads as `{}`), an HTML form, or the exact text. */
  body?: z.ZodType<B>;
  form?: z.ZodType<B>;
  text?: { schema: z.ZodType; mediaType: string };
  /** The body is multipart/form-data with this file; `body` describes its text fields. */
  upload?: UploadSpec;
  /** What `data` holds in the success response. */
  response: z.ZodType;
  /** Instead of `response`: the named schema component `data` holds (an object of the API). */
  responseComponent?: string;
  /** A success body that is not `{ data }` JSON (a `text/event-stream`, a PDF): its media type. */
  responseMediaType?: string;
  successStatus?: number;
  params?: Operation['params'];
  challenge?: Operation['challenge'];
  errors?: readonly number[];
  /** Default: derived from the operationId. */
  sdk?: Operation['sdk'];
  undocumented?: string;
  extensions?: Record<string, unknown>;
  handle(call: OperationCall<Q, B>): Promise<ApiResult>;
}

function bodyOf<B>(declaration: OperationDeclaration<unknown, B>): BodySpec<B> | undefined {
  if (declaration.upload) return { upload: declaration.upload, fields: declaration.body };
  if (declaration.form) return { form: declaration.form };
  if (declaration.text) return { text: declaration.text.schema, mediaType: declaration.text.mediaType };
  return declaration.body ? { json: declaration.body, required: false } : undefined;
}

/** Why an agent gets no tool for it, if it gets none. */
function toolExclusion(declaration: OperationDeclaration<unknown, unknown>): string | undefined {
  if (declaration.undocumented) return declaration.undocumented;
  if (declaration.upload) return 'an upload: tools carry no files';
  if (declaration.responseMediaType) return 'a file or a stream: tools answer JSON';
  const authentication = declaration.authentication ?? 'credential';
  return authentication === 'credential' ? undefined : 'a step of signing in, not an operation of an account';
}

export function defineOperation<Q = undefined, B = undefined>(
  declaration: OperationDeclaration<Q, B>,
): Operation<Q, B> {
  const { query, body: _body, form: _form, text: _text, upload: _upload, response, responseComponent } = declaration;
  const data = responseComponent ? componentRef(responseComponent) : response;
  const excluded = toolExclusion(declaration as OperationDeclaration<unknown, unknown>);
  return {
    operationId: declaration.operationId,
    method: declaration.method,
    path: declaration.path,
    summary: declaration.summary,
    description: declaration.description,
    tag: declaration.tag,
    collection: declaration.collection,
    kind: 'custom',
    scope: declaration.scope,
    authentication: declaration.authentication ?? 'credential',
    bucket: declaration.bucket,
    feature: declaration.feature,
    params: declaration.params,
    challenge: declaration.challenge,
    query: declaration.rawQuery
      ? { schema: declaration.rawQuery as z.ZodType<Q>, parse: () => undefined as Q }
      : query && { schema: query },
    body: bodyOf(declaration),
    response: {
      status: declaration.successStatus ?? 200,
      description: declaration.summary,
      ...(declaration.responseMediaType
        ? { content: { [declaration.responseMediaType]: response } }
        : { json: dataOf(data) }),
    },
    errors: declaration.errors,
    sdk:
      declaration.sdk ??
      (declaration.undocumented
        ? { excluded: declaration.undocumented }
        : customSdkName(declaration, declaration.singular)),
    tool: excluded ? { excluded } : snakeCase(declaration.operationId),
    undocumented: declaration.undocumented,
    extensions: declaration.extensions,
    handle: declaration.handle,
  };
}
