// AI: the LLM providers an account configures, the client every AI feature calls them through
// (src/ai/llm-client.ts), and the record of the tokens they use (quota and GET /v1/usage); and
// the features built on them: drafted replies (POST /v1/conversations/{id}/draft-reply).
import { defineModule } from '../platform/api/module.ts';
import { AI_MIGRATIONS } from './ai-migrations.ts';
import { llmProviders } from './llm-providers-resource.ts';
import { draftReplyOperation } from './draft-reply-operation.ts';

export const aiModule = defineModule({
  name: 'ai',
  resources: [llmProviders],
  migrations: AI_MIGRATIONS,
  operations: (registry) => [draftReplyOperation(registry)],
});
