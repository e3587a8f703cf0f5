// Approval policies hold real actions: a refund over an amount answers 202 with a pending
// approval and does nothing until a member the policy names approves it (the refund then
// happens, as asked) or rejects it (it never does). The requester cannot decide; the approvers
// are told; every decision is an event.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, type TestContext } from './support/test-context.ts';
import { memberWithRole, signUp } from './support/members.ts';
import { assertProblem } from './support/problem-assertions.ts';

let t: TestContext;
let owner: Awaited<ReturnType<typeof signUp>>;
// The office member refunds; the admin decides.
let office: { cookie: string; userId: string };
let admin: { cookie: string; userId: string };

before(async () => {
  t = await createTestContext();
  owner = await signUp(t, 'owner');
  office = await memberWithRole(t, owner.cookie, 'office', 'olga');
  admin = await memberWithRole(t, owner.cookie, 'admin', 'adam');
});
after(() => t.close());

const as = (cookie: string) => (method: string, path: string, body?: unknown) =>
  t.call(method, path, { headers: { cookie }, body });

async function payment(amount: number) {
  const call = as(owner.cookie);
  const customer = await call('POST', '/v1/customers', { name: 'Refund Customer' });
  const invoice = await call('POST', '/v1/invoices', {
    customer_id: customer.body.data.id,
    currency: 'USD',
    line_items: [{ description: 'Boiler', quantity: 1, unit_amount: amount }],
  });
  assert.equal(
    (await call('POST', `/v1/invoices/${invoice.body.data.id}/send`, { to: ['a@example.test'] })).status,
    200,
  );
  const paid = await call('POST', `/v1/invoices/${invoice.body.data.id}/payments`, {
    amount,
    currency: 'USD',
    method: 'card',
  });
  assert.equal(paid.status, 201, paid.text);
  return paid.body.data.id as string;
}

const paymentStatus = async (id: string) => (await as(owner.cookie)('GET', `/v1/payments/${id}`)).body.data.status;

test('policies name real actions, fields and roles, or are refused', async () => {
  const call = as(owner.cookie);
  const base = { name: 'Bad', collection: 'payments', action: 'refund', approver_roles: ['admin'] };
  for (const [change, path] of [
    [{ action: 'explode' }, 'action'],
    [{ conditions: { field: 'object.colour', op: 'eq', value: 'red' } }, 'conditions.field'],
    [{ approver_roles: ['king'] }, 'approver_roles.0'],
    [{ approver_roles: [] }, 'approver_roles'],
    [{ approver_user_ids: ['usr_01ARZ3NDEKTSV4RRFFQ69G5FAV'] }, 'approver_user_ids.0'],
  ] as const) {
    const problem = assertProblem(
      await call('POST', '/v1/approval-policies', { ...base, ...change }),
      422,
      'validation_failed',
    );
    assert.ok(
      problem.errors.some((e: any) => e.path === path),
      `${path}: ${JSON.stringify(problem.errors)}`,
    );
  }
});

test('a refund over the limit waits for approval, then happens when approved', async () => {
  const policy = await as(owner.cookie)('POST', '/v1/approval-policies', {
    name: 'Large refunds',
    collection: 'payments',
    action: 'refund',
    conditions: { field: 'object.amount', op: 'gt', value: 50_000 },
    approver_roles: ['admin'],
  });
  assert.equal(policy.status, 201, policy.text);

  const small = await payment(10_000);
  const direct = await as(office.cookie)('POST', `/v1/payments/${small}/refund`, { reason: 'small' });
  assert.equal(direct.status, 200, direct.text);
  assert.equal(direct.body.data.status, 'refunded', 'under the limit: no approval');

  const large = await payment(60_000);
  const held = await as(office.cookie)('POST', `/v1/payments/${large}/refund`, { reason: 'damaged' });
  assert.equal(held.status, 202, held.text);
  const approval = held.body.data;
  assert.equal(approval.object, 'approval');
  assert.deepEqual(
    [approval.status, approval.collection, approval.object_id, approval.action, approval.input],
    ['pending', 'payments', large, 'refund', { reason: 'damaged' }],
  );
  assert.equal(approval.requested_by, office.userId);
  assert.equal(await paymentStatus(large), 'succeeded', 'nothing refunded yet');
  const again = await as(office.cookie)('POST', `/v1/payments/${large}/refund`, { reason: 'damaged' });
  assert.equal(again.body.data.id, approval.id, 'asking again finds the pending approval');

  const notices = (await as(admin.cookie)('GET', `/v1/notifications?user_id=${admin.userId}`)).body.data;
  assert.ok(notices.some((n: any) => n.title === 'Approval requested' && n.link === `/v1/approvals/${approval.id}`));
  const mine = (await as(admin.cookie)('GET', '/v1/approvals/mine')).body.data.data;
  assert.deepEqual(
    mine.map((a: any) => a.id),
    [approval.id],
  );
  assert.deepEqual((await as(office.cookie)('GET', '/v1/approvals/mine')).body.data.data, [], 'not the requester’s');

  assertProblem(await as(office.cookie)('POST', `/v1/approvals/${approval.id}/approve`), 403, 'forbidden');
  const approved = await as(admin.cookie)('POST', `/v1/approvals/${approval.id}/approve`);
  assert.equal(approved.status, 200, approved.text);
  assert.equal(approved.body.data.status, 'approved');
  assert.equal(approved.body.data.decided_by, admin.userId);
  assert.equal(approved.body.data.result.status, 'refunded');
  assert.equal(await paymentStatus(large), 'refunded', 'the refund happened, as asked');
  const refunded = (await as(owner.cookie)('GET', `/v1/payments/${large}`)).body.data;
  assert.equal(refunded.refund_reason, 'damaged');

  const types = (await as(owner.cookie)('GET', '/v1/events?limit=100')).body.data.map((e: any) => e.type);
  for (const type of ['approval.requested', 'approval.approved', 'payment.refunded'])
    assert.ok(types.includes(type), type);
});

test('a rejected refund never happens', async () => {
  const large = await payment(75_000);
  const held = await as(office.cookie)('POST', `/v1/payments/${large}/refund`, {});
  assert.equal(held.status, 202, held.text);
  const rejected = await as(admin.cookie)('POST', `/v1/approvals/${held.body.data.id}/reject`, {
    reason: 'Not damaged',
  });
  assert.equal(rejected.status, 200, rejected.text);
  assert.deepEqual([rejected.body.data.status, rejected.body.data.reason], ['rejected', 'Not damaged']);
  assert.equal(await paymentStatus(large), 'succeeded');
  assertProblem(
    await as(admin.cookie)('POST', `/v1/approvals/${held.body.data.id}/approve`),
    409,
    'invalid_state_transition',
  );
});
