// Platform operators for tests: one made as `fieldline operators create` makes it (the same
// command code, on the test's database), and signed in through the API.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { operatorsCommand } from '../../src/platform-admin/operators-command.ts';
import type { TestContext } from './test-context.ts';

export interface TestOperator {
  email: string;
  password: string;
  token: string;
}

/** Runs `fieldline operators ...` on the test database: its exit code and what it printed. */
export async function operatorsCli(
  t: TestContext,
  argv: { sub: string; email?: string; name?: string; json?: boolean },
) {
  let stdout = '';
  let stderr = '';
  const out = { stdout: (text: string) => void (stdout += text), stderr: (text: string) => void (stderr += text) };
  const code = await operatorsCommand(t.db, argv.sub, argv, out);
  return { code, stdout, stderr };
}

/** A new operator, created by the CLI with a generated password, and signed in. */
export async function signedInOperator(t: TestContext, name = 'ops'): Promise<TestOperator> {
  const email = `${name}.${randomBytes(4).toString('hex')}@fieldline.test`;
  const created = await operatorsCli(t, { sub: 'create', email, json: true });
  assert.equal(created.code, 0, created.stderr);
  const { password } = JSON.parse(created.stdout);
  const signedIn = await t.call('POST', '/v1/platform/sign-in', { body: { email, password } });
  assert.equal(signedIn.status, 200, signedIn.text);
  return { email, password, token: signedIn.body.data.token };
}
