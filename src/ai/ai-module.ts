// AI: the LLM providers an account configures, the client every AI feature calls them through
// (src/ai/llm-client.ts), and the record of the tokens they use (quota and GET /v1/usage).
import { defineModule } from '../platform/api/module.ts';
import { AI_MIGRATIONS } from './ai-migrations.ts';
import { llmProviders } from './llm-providers-resource.ts';

export const aiModule = defineModule({
  name: 'ai',
  resources: [llmProviders],
  migrations: AI_MIGRATIONS,
});
