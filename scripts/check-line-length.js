#!/usr/bin/env node
// Fails when a line of our own source is longer than Prettier's printWidth (120): Prettier does not
// break long strings and comments, so it cannot catch them itself. Checks the files git tracks under
// src/, test/, web/src/, bench/, scripts/ and bin/ (.ts, .tsx, .js, .mjs, .cjs, .css), except the
// generated ones that .prettierignore also leaves out. No dependencies: `node scripts/check-line-length.js`.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAX = 120;
const ROOTS = ['src/', 'test/', 'web/src/', 'bench/', 'scripts/', 'bin/'];
const EXTENSIONS = /\.(ts|tsx|js|mjs|cjs|css)$/;
/** Generated or not ours (as in .prettierignore). */
const SKIPPED = ['sdk/', 'docs/', 'web/dist/', 'bench/results/', 'test-artifacts/'];

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tracked = execFileSync('git', ['ls-files', '-z', '--', ...ROOTS], { cwd: root, encoding: 'utf8' })
  .split('\0')
  .filter((path) => path && EXTENSIONS.test(path) && !SKIPPED.some((prefix) => path.startsWith(prefix)));

let long = 0;
let checked = 0;
for (const path of tracked) {
  let text;
  try {
    text = readFileSync(join(root, path), 'utf8');
  } catch (error) {
    if (error.code === 'ENOENT') continue; // deleted in the working tree, not yet in git
    throw error;
  }
  checked++;
  text.split(/\r?\n/).forEach((line, index) => {
    const length = [...line].length; // characters, not UTF-16 units
    if (length > MAX) {
      console.log(`${path}:${index + 1}: ${length} characters`);
      long++;
    }
  });
}

if (long) {
  console.error(`${long} line${long === 1 ? '' : 's'} over ${MAX} characters: wrap them (split strings with +).`);
  process.exit(1);
}
console.log(`line length: ${checked} files, no line over ${MAX} characters`);
