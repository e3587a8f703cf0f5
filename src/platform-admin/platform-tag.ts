// The OpenAPI tag of every platform-administration operation, and its security scheme's name.
export const PLATFORM_TAG = 'Platform';
