// Case conversions for names we derive (operation ids, tool names, column names), one of each.

/** `job-photos` -> `JobPhotos`, `price_proposal` -> `PriceProposal`. */
export const pascalCase = (text: string) =>
  text
    .split(/[-_]/)
    .map((word) => word[0].toUpperCase() + word.slice(1))
    .join('');

/** `rotate-secret` -> `rotateSecret`. */
export const camelCase = (text: string) => {
  const pascal = pascalCase(text);
  return pascal[0].toLowerCase() + pascal.slice(1);
};

/** `requirePKCE` -> `require_pkce`, `createOAuthClient` -> `create_oauth_client`, `job-photos` -> `job_photos`. */
export const snakeCase = (text: string) =>
  text
    .replace(/[-\s]/g, '_')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase();

/** The OpenAPI schema (and tag) of a resource's objects: `job_photo` -> `JobPhoto`. */
export const schemaName = (resource: { name: string }) => pascalCase(resource.name);
