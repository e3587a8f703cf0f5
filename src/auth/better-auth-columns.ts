// Better Auth's camelCase field names -> our snake_case columns, for its core tables
// (people-auth.ts) and its OAuth provider's (oauth-provider.ts) alike. Its "user" is our person.
import { snakeCase } from '../platform/naming.ts';

export const betterAuthColumn = (field: string) => (field === 'userId' ? 'person_id' : snakeCase(field));
