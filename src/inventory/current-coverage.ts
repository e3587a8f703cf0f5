// The coverage inventory of this build: the app the server runs (never started), the MCP
// tools it would serve and the SDKs committed beside it.
import { pino } from 'pino';
import { createRegistry } from '../domain/registry.ts';
import { createApp } from '../http/app.ts';
import { coverageInventory, type ResourceCoverage } from './coverage.ts';
import { pythonSdkOperations, typescriptSdkOperations } from './sdk-surfaces.ts';

export function currentCoverage(): ResourceCoverage[] {
  const registry = createRegistry();
  const app = createApp({ db: undefined as never, registry, logger: pino({ level: 'silent' }) });
  return coverageInventory({
    registry,
    routes: app.routes,
    endpoints: app.endpoints,
    openapi: app.openapi,
    tools: app.agentTools(),
    sdks: { typescript: typescriptSdkOperations(), python: pythonSdkOperations() },
  });
}
