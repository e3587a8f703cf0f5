// Documents modules publish at fixed paths besides their operations: discovery metadata
// (RFC 8414 for the OAuth server, RFC 9728 for the MCP server). JSON, open to anyone, cached.
import type { Hono } from 'hono';
import type { FeatureModule } from '../platform/api/module.ts';
import type { Runtime } from '../platform/contract.ts';

export function mountModuleDocuments(app: Hono, modules: readonly FeatureModule[], runtime: Runtime): void {
  for (const document of modules.flatMap((module) => module.documents ?? [])) {
    app.get(document.path, async (c) =>
      c.json(await document.json(runtime), 200, {
        'Cache-Control': 'public, max-age=300',
        ...(document.anyOrigin ? { 'Access-Control-Allow-Origin': '*' } : {}),
      }),
    );
  }
}
