// Voice commands (issue 31): a person runs the business by speaking. A command becomes a plan of
// calls of the MCP server's tools, run as the caller; the grammar understands the common ones
// and the account's LLM provider, if any, the rest. The log of commands is read-only.
import type { Api } from '../platform/api/build-api.ts';
import { defineModule } from '../platform/api/module.ts';
import { voiceCommands } from './voice-commands.ts';
import { voiceOperations } from './voice-operations.ts';

/** The voice module runs the API's own tools: the composition root makes it from the others, like the MCP server. */
export function voiceModule(api: () => Api) {
  return defineModule({
    name: 'voice',
    resources: [voiceCommands],
    // Everyone who works may speak: each step still needs its own scope, so a technician's commands
    // do what a technician may. Read-only members may ask (find, look up) but change nothing.
    roles: { dispatcher: 'write', office: 'write', technician: 'write', read_only: 'write' },
    operations: () => voiceOperations(api),
  });
}
