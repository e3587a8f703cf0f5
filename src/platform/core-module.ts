// The platform's own part of every composition: accounts (tenants) and idempotency keys, the
// event log every change writes to, and the search across every searchable collection.
import { defineModule } from './api/module.ts';
import { searchOperation } from './api/search-operation.ts';
import { CORE_MIGRATIONS } from './core-migrations.ts';
import { events } from './events/events-resource.ts';
import { SEARCH_TERMS_COMPILED_MIGRATION, SEARCH_TERMS_MIGRATION } from './query/search-terms.ts';

export const coreModule = defineModule({
  name: 'core',
  resources: [events],
  migrations: [...CORE_MIGRATIONS, SEARCH_TERMS_MIGRATION, SEARCH_TERMS_COMPILED_MIGRATION],
  operations: (registry) => [searchOperation(registry)],
});
