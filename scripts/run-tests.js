#!/usr/bin/env node
// Runs every *.test.ts under src/, web/src/ and test/ with node's test runner (Node 20 does not expand
// globs itself). Extra arguments are passed through, e.g. a file to run alone.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';

function findTests(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules') return [];
    if (statSync(path).isDirectory()) return findTests(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

const args = process.argv.slice(2);
const files = args.some((a) => a.endsWith('.ts'))
  ? []
  : [...findTests('src'), ...findTests('web/src'), ...findTests('test')].sort();
const concurrency = process.env.TEST_CONCURRENCY ?? String(Math.max(2, availableParallelism()));
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...args, ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
