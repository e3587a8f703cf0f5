#!/usr/bin/env node
// Runs the compiled server (build/, made by `npm ci` or `node scripts/build-server.js`) when it is
// current, else the TypeScript sources through tsx, so a fresh clone or an edited checkout needs no
// build step. `generate` always runs the sources: it imports the SDK generator's TypeScript.
// FIELDLINE_FROM_SOURCE=1 runs the sources even when a build is current.
import { isServerBuildFresh, loadServerBuild } from '../scripts/server-build.js';

const args = process.argv.slice(2);
const fromSource = process.env.FIELDLINE_FROM_SOURCE === '1' || args[0] === 'generate' || !isServerBuildFresh();
let runCli;
if (fromSource) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ runCli } = await import('../src/cli/main.ts'));
} else {
  ({ runCli } = loadServerBuild());
}
const code = await runCli(args);
if (code >= 0) process.exitCode = code;
