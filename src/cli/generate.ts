// `fieldline generate`: every file derived from the operation table, made again from this
// build: openapi.json, the TypeScript SDK's generated files, the Python SDK's generated module
// (python3 runs its stdlib generator), docs/api-coverage.md (from the SDKs just made) and
// docs/roles.md. With `check`, nothing is written and the stale files are named.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fieldlineApi } from '../main.ts';
import { roleMatrixMarkdown } from '../auth/roles.ts';
import { coverageMarkdown } from '../inventory/coverage-markdown.ts';
import { coverageOf } from '../inventory/current-coverage.ts';
import {
  PYTHON_OPERATIONS_FILE,
  TYPESCRIPT_OPERATIONS_FILE,
  pythonSdkOperations,
  typescriptSdkOperations,
} from '../inventory/sdk-surfaces.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The Python SDK's generated module for a document, by running its generator on a copy. */
function pythonSdk(openapiText: string): Record<string, string> {
  const work = mkdtempSync(join(tmpdir(), 'fieldline-generate-'));
  try {
    // The generator names its source file in the header: keep the name.
    writeFileSync(join(work, 'openapi.json'), openapiText);
    mkdirSync(join(work, 'out'));
    execFileSync(
      'python3',
      [join(ROOT, 'sdk/python/generate.py'), '--openapi', join(work, 'openapi.json'), '--out', join(work, 'out')],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    return { [PYTHON_OPERATIONS_FILE]: readFileSync(join(work, 'out', '_generated.py'), 'utf8') };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Every derived file of this build: path from the repository root -> content. */
export async function derivedFiles(): Promise<Record<string, string>> {
  const api = fieldlineApi();
  const openapi = JSON.stringify(api.document(), null, 2) + '\n';
  // The generator needs TypeScript and openapi-typescript (development dependencies): loaded only here.
  const { generateTypeScriptSdk } = await import('../../sdk/typescript/scripts/generate.ts');
  const typescript = Object.fromEntries(
    Object.entries(await generateTypeScriptSdk(api.document())).map(([path, text]) => [`sdk/typescript/${path}`, text]),
  );
  const python = pythonSdk(openapi);
  const coverage = coverageOf(api, {
    typescript: typescriptSdkOperations(typescript[TYPESCRIPT_OPERATIONS_FILE]),
    python: pythonSdkOperations(python[PYTHON_OPERATIONS_FILE]),
  });
  return {
    'openapi.json': openapi,
    ...typescript,
    ...python,
    'docs/api-coverage.md': coverageMarkdown(coverage),
    'docs/roles.md': roleMatrixMarkdown(api.registry),
  };
}

/** Writes (or, with `check`, compares) every derived file; answers the paths that were out of date. */
export async function generateArtefacts({ check }: { check: boolean }): Promise<string[]> {
  const stale: string[] = [];
  for (const [path, content] of Object.entries(await derivedFiles())) {
    const target = join(ROOT, path);
    let current: string | null = null;
    try {
      current = readFileSync(target, 'utf8');
    } catch {
      // missing: stale
    }
    if (current === content) continue;
    stale.push(path);
    if (!check) {
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, content);
    }
  }
  return stale;
}
