// @fieldline/sdk: the TypeScript client of the Fieldline API.
export { Fieldline, VERSION, type FieldlineOptions } from './client.ts';
export type { Resources } from './generated/operations.ts';
export type { paths, components, operations } from './generated/openapi.ts';
export { PagePromise, type Page, type PageInfo } from './pagination.ts';
export type { RetryEvent, RetryPolicy, TokenSource } from './request.ts';
export type { Data, Item, JsonBody, JsonResponse, MultipartBody, Query, RequestOptions } from './types.ts';
export {
  FieldlineError,
  BadRequestError,
  AuthenticationError,
  PermissionError,
  NotFoundError,
  ConflictError,
  IdempotencyError,
  ValidationError,
  RateLimitError,
  InternalServerError,
  FieldlineConnectionError,
  type Problem,
  type FieldError,
} from './errors.ts';
export {
  verify as verifyWebhook,
  webhooks,
  WebhookVerificationError,
  type VerifyOptions,
  type WebhookEvent,
} from './webhooks.ts';
export { clientCredentials, type ClientCredentialsOptions, type ClientCredentialsProvider } from './oauth.ts';
