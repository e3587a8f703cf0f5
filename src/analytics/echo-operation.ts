// POST /v1/echo: what the server received and who it thinks is calling, for integrators
// debugging authentication, headers and bodies. Secrets are redacted as in the request log.
import { z } from 'zod';
import { defineOperation } from '../platform/api/define-operation.ts';
import { redactBody, redactHeaders } from './redact.ts';

const EchoResponse = z.object({
  object: z.literal('echo'),
  method: z.string(),
  path: z.string(),
  headers: z.record(z.string(), z.string()).describe('Request headers; credentials keep only their public prefix.'),
  body: z.unknown().describe('The JSON body received (`{}` when empty), secret-looking members redacted.'),
  request_id: z.string(),
  principal: z.object({ account_id: z.string(), api_key_id: z.string().nullable(), scopes: z.array(z.string()) }),
});

export const echoOperation = defineOperation({
  method: 'post',
  path: '/v1/echo',
  operationId: 'echo',
  tag: 'Traffic',
  scope: null,
  bucket: 'write',
  summary: 'Echo the request back',
  description:
    "Returns the method, path, headers and JSON body it received and the credential's account, key and scopes. " +
    'Any valid credential may call it; nothing is stored.',
  body: z.unknown(),
  response: EchoResponse,
  successStatus: 200,
  async handle({ principal, method, path, headers, body, requestId }) {
    return {
      status: 200,
      body: {
        data: {
          object: 'echo',
          method,
          path,
          headers: redactHeaders(headers),
          body: redactBody(body),
          request_id: requestId,
          principal: {
            account_id: principal.accountId,
            api_key_id: principal.keyId ?? null,
            scopes: [...principal.scopes],
          },
        },
      },
    };
  },
});
