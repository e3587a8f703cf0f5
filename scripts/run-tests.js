#!/usr/bin/env node
// Runs every *.test.ts under src/, web/src/ and test/ with node's test runner (Node 20 does not
// expand globs itself). Extra arguments are passed through, e.g. a file to run alone. Files start
// longest first (the browser suites, the CLI's server processes, the generated matrices), so the
// run does not end waiting on one long file started last.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';

/** Files that take the longest (about 30 s to 80 s each here), measured; every other file takes 2 to 20 s. */
const LONGEST_FIRST = [
  /test\/portal-/,
  /test\/bad-input-/,
  /test\/cli\.test/,
  /test\/people-and-sessions\.test/,
  /test\/sdk-/,
  /test\/(conventions|oauth|roles|rate-limits|tenancy)\.test/,
  /test\/pgbouncer\.test/, // runs the tenancy suites again, through a PgBouncer (PostgreSQL pass)
  /test\/read-replica\.test/, // a base backup of the whole PostgreSQL cluster, then a hot standby
];
const rank = (file) => {
  const index = LONGEST_FIRST.findIndex((pattern) => pattern.test(file));
  return index === -1 ? LONGEST_FIRST.length : index;
};

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
  : [...findTests('src'), ...findTests('web/src'), ...findTests('test')].sort(
      (a, b) => rank(a) - rank(b) || a.localeCompare(b),
    );
const concurrency = process.env.TEST_CONCURRENCY ?? String(Math.max(2, availableParallelism()));
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...args, ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
