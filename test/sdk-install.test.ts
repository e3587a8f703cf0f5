// The TypeScript SDK installs as its README says, into a project that has never seen this
// repository: `npm run sdk:pack` builds the package's tarball, `npm install <tarball>` installs it
// (no registry needed: the SDK has no dependencies), and the installed package calls the API.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createServedTestContext } from './support/real-port.ts';

const run = promisify(execFile);
const REPOSITORY = join(import.meta.dirname, '..');

let served: Awaited<ReturnType<typeof createServedTestContext>>;
let project: string;
before(async () => {
  served = await createServedTestContext();
  project = await mkdtemp(join(tmpdir(), 'fieldline-sdk-user-'));
});
after(async () => {
  await served.close();
  await rm(project, { recursive: true, force: true });
});

test('npm run sdk:pack, then npm install of the tarball in a fresh folder, gives a working client', async () => {
  await run('npm', ['pack', './sdk/typescript', '--pack-destination', project], { cwd: REPOSITORY });
  const [tarball] = (await readdir(project)).filter((name) => name.endsWith('.tgz'));
  assert.match(tarball, /^fieldline-sdk-\d+\.\d+\.\d+\.tgz$/);
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'sdk-user', private: true, type: 'module' }));
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', `./${tarball}`], { cwd: project });

  const account = await served.t.newAccount('SDK User');
  await writeFile(
    join(project, 'first-call.js'),
    [
      "import { Fieldline } from '@fieldline/sdk';",
      'const fieldline = new Fieldline({ baseUrl: process.env.FIELDLINE_BASE_URL });',
      "const customer = await fieldline.customers.create({ name: 'Ada Lovelace' });",
      'const page = await fieldline.customers.list({ limit: 10 });',
      'console.log(JSON.stringify({ id: customer.id, listed: page.data.map((c) => c.id) }));',
    ].join('\n'),
  );
  const { stdout } = await run('node', ['first-call.js'], {
    cwd: project,
    env: { ...process.env, FIELDLINE_API_KEY: account.key, FIELDLINE_BASE_URL: served.base },
  });
  const answer = JSON.parse(stdout);
  assert.match(answer.id, /^cus_/);
  assert.deepEqual(answer.listed, [answer.id], 'the key of the README (FIELDLINE_API_KEY) was used');
});
