// Stripe's API on 127.0.0.1, as far as Fieldline's card payments use it and as Stripe documents
// it: `GET /v1/account`, `POST /v1/payment_intents` (a form body; an `Idempotency-Key` answers
// the first request's object again, and refuses other parameters), `GET /v1/payment_intents/:id`,
// with Stripe's error objects; and Checkout: `POST /v1/checkout/sessions` and its payment page
// (`/pay/{id}`), whose "Pay now" makes the PaymentIntent succeed and returns to `success_url`.
// `succeed` plays the customer paying: the PaymentIntent succeeds and Stripe posts a signed
// `payment_intent.succeeded` event to a webhook URL.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';

export interface FakeStripeAccount {
  id: string;
  name: string;
}

export interface FakePaymentIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_received: number;
  currency: string;
  status: string;
  client_secret: string;
  description: string | null;
  metadata: Record<string, string>;
  automatic_payment_methods: { enabled: boolean } | null;
  livemode: boolean;
  created: number;
}

export interface FakeCheckoutSession {
  id: string;
  object: 'checkout.session';
  url: string;
  status: string;
  payment_status: string;
  amount_total: number;
  currency: string;
  client_reference_id: string | null;
  success_url: string;
  cancel_url: string;
  metadata: Record<string, string>;
  payment_intent_data: { metadata?: Record<string, string>; description?: string };
  payment_intent: string | null;
}

/** A request the fake received (its form body decoded), for tests to look at. */
export interface FakeStripeRequest {
  method: string;
  path: string;
  idempotencyKey: string | null;
  form: Record<string, unknown>;
}

const token = (length: number) => randomBytes(length).toString('base64url').replace(/[-_]/g, 'x').slice(0, length);

/** A test-mode secret key of the shape Stripe issues. */
export const fakeSecretKey = () => `sk_test_${token(32)}`;
export const fakePublishableKey = () => `pk_test_${token(32)}`;

/** `a[b][c]=v` form fields (how the SDK encodes nested parameters) -> nested objects. */
export function decodeForm(body: string): Record<string, unknown> {
  const out: Record<string, any> = {};
  for (const [name, value] of new URLSearchParams(body)) {
    const [head, ...rest] = name.split('[').map((part) => part.replace(/\]$/, ''));
    const path = [head, ...rest];
    let node = out;
    for (const key of path.slice(0, -1)) node = node[key] ??= {};
    node[path[path.length - 1]] = value;
  }
  return out;
}

const stripeError = (type: string, message: string, extra: Record<string, string> = {}) => ({
  error: { type, message, ...extra },
});

export async function startStripeFake() {
  const accounts = new Map<string, FakeStripeAccount>(); // by secret key
  const intents = new Map<string, FakePaymentIntent & { accountId: string }>();
  const idempotent = new Map<string, { body: string; intentId: string }>(); // `${account} ${key}`
  const requests: FakeStripeRequest[] = [];
  let defaultWebhook: { url: string; secret: string } | undefined;

  function answer(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    response.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${token(14)}`, ...headers });
    response.end(JSON.stringify(body));
  }

  const publicIntent = ({ accountId: _account, ...intent }: FakePaymentIntent & { accountId: string }) => intent;

  function createIntent(account: FakeStripeAccount, form: Record<string, any>, mode: string): FakePaymentIntent {
    const id = `pi_${token(24)}`;
    const intent = {
      id,
      object: 'payment_intent' as const,
      amount: Number(form.amount),
      amount_received: 0,
      currency: String(form.currency),
      status: 'requires_payment_method',
      client_secret: `${id}_secret_${token(24)}`,
      description: form.description ?? null,
      metadata: form.metadata ?? {},
      automatic_payment_methods: form.automatic_payment_methods
        ? { enabled: form.automatic_payment_methods.enabled === 'true' }
        : null,
      livemode: mode === 'live',
      created: Math.floor(Date.now() / 1000),
      accountId: account.id,
    };
    intents.set(id, intent);
    return publicIntent(intent);
  }

  /**
   * The customer pays: the PaymentIntent succeeds, and Stripe posts the signed event to
   * `webhook.url` (a Fieldline inbound Stripe source on 127.0.0.1). Answers Fieldline's response.
   */
  async function succeed(paymentIntentId: string, webhook = defaultWebhook) {
    const intent = intents.get(paymentIntentId);
    if (!intent) throw new Error(`the fake holds no PaymentIntent ${paymentIntentId}`);
    if (!webhook) throw new Error('no webhook URL: pass one or call webhookTo first');
    if (new URL(webhook.url).hostname !== '127.0.0.1') throw new Error('the fake posts to 127.0.0.1 only');
    Object.assign(intent, { status: 'succeeded', amount_received: intent.amount });
    const payload = JSON.stringify({
      id: `evt_${token(24)}`,
      object: 'event',
      type: 'payment_intent.succeeded',
      api_version: '2025-01-27',
      created: Math.floor(Date.now() / 1000),
      livemode: intent.livemode,
      data: { object: publicIntent(intent) },
    });
    const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: webhook.secret });
    const response = await fetch(webhook.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signature },
      body: payload,
    });
    return { status: response.status, body: await response.json().catch(() => null) };
  }

  /** Stripe Checkout: a session, its payment page (`/pay/{id}`, what the customer's browser opens). */
  const sessions = new Map<string, FakeCheckoutSession & { accountId: string; mode: string }>();
  const sessionKeys = new Map<string, { body: string; sessionId: string }>(); // `${account} ${key}`
  const publicSession = ({
    accountId: _a,
    mode: _m,
    ...session
  }: FakeCheckoutSession & { accountId: string; mode: string }) => session;

  function createSession(account: FakeStripeAccount, form: Record<string, any>, mode: string): FakeCheckoutSession {
    const id = `cs_test_${token(24)}`;
    const line = form.line_items?.['0'] ?? {};
    const session = {
      id,
      object: 'checkout.session' as const,
      mode: String(form.mode),
      url: `http://127.0.0.1:${port}/pay/${id}`,
      status: 'open',
      payment_status: 'unpaid',
      amount_total: Number(line.price_data?.unit_amount) * Number(line.quantity ?? 1),
      currency: String(line.price_data?.currency),
      client_reference_id: form.client_reference_id ?? null,
      success_url: String(form.success_url),
      cancel_url: String(form.cancel_url),
      metadata: form.metadata ?? {},
      payment_intent_data: form.payment_intent_data ?? {},
      payment_intent: null as string | null,
      accountId: account.id,
    };
    sessions.set(id, { ...session, mode });
    return publicSession({ ...session, mode });
  }

  /** The payment page: a form that pays (a real Stripe page takes a card). */
  async function payPage(request: IncomingMessage, response: ServerResponse, id: string) {
    const session = sessions.get(id);
    if (!session || session.status !== 'open') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('No such checkout session');
      return;
    }
    if (request.method === 'GET') {
      const amount = (session.amount_total / 100).toFixed(2);
      response
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(
          `<!doctype html><title>Pay</title><h1>Pay ${amount} ${session.currency.toUpperCase()}</h1>` +
            `<form method="post"><button>Pay now</button></form><a href="${session.cancel_url}">Back</a>`,
        );
      return;
    }
    const account = [...accounts.values()].find((candidate) => candidate.id === session.accountId)!;
    const intent = createIntent(
      account,
      {
        amount: session.amount_total,
        currency: session.currency,
        metadata: session.payment_intent_data.metadata ?? {},
        description: session.payment_intent_data.description,
      },
      session.mode,
    );
    Object.assign(session, { status: 'complete', payment_status: 'paid', payment_intent: intent.id });
    await succeed(intent.id);
    response.writeHead(303, { location: session.success_url }).end();
  }

  function handle(request: IncomingMessage, response: ServerResponse, body: string) {
    const path = (request.url ?? '/').split('?')[0];
    const form = decodeForm(body);
    const idempotencyKey = (request.headers['idempotency-key'] as string | undefined) ?? null;
    requests.push({ method: request.method ?? '', path, idempotencyKey, form });
    const paying = /^\/pay\/([^/]+)$/.exec(path);
    if (paying)
      return void payPage(request, response, paying[1]).catch((error) => {
        response.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
      });
    const key = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
    const account = accounts.get(key);
    if (!account) {
      const masked = key ? `${key.slice(0, 8)}${'*'.repeat(Math.max(key.length - 12, 4))}${key.slice(-4)}` : '';
      return answer(
        response,
        401,
        stripeError('invalid_request_error', `Invalid API Key provided: ${masked}`, { code: 'api_key_invalid' }),
      );
    }
    if (request.method === 'GET' && path === '/v1/account')
      return answer(response, 200, {
        id: account.id,
        object: 'account',
        business_profile: { name: account.name },
        settings: { dashboard: { display_name: account.name } },
        charges_enabled: true,
      });
    if (request.method === 'POST' && path === '/v1/payment_intents') {
      const seen = idempotencyKey ? idempotent.get(`${account.id} ${idempotencyKey}`) : undefined;
      if (seen && seen.body !== body)
        return answer(
          response,
          400,
          stripeError(
            'idempotency_error',
            'Keys for idempotent requests can only be used with the same parameters they were first used with.',
          ),
        );
      if (seen)
        return answer(response, 200, publicIntent(intents.get(seen.intentId)!), { 'idempotent-replayed': 'true' });
      const amount = Number(form.amount);
      if (!Number.isInteger(amount) || amount < 50)
        return answer(
          response,
          400,
          stripeError('invalid_request_error', 'Amount must be at least 50 cents', {
            code: 'amount_too_small',
            param: 'amount',
          }),
        );
      if (!/^[a-z]{3}$/.test(String(form.currency)))
        return answer(
          response,
          400,
          stripeError('invalid_request_error', `Invalid currency: ${form.currency}`, { param: 'currency' }),
        );
      const intent = createIntent(account, form, key.slice(3, 7));
      if (idempotencyKey) idempotent.set(`${account.id} ${idempotencyKey}`, { body, intentId: intent.id });
      return answer(response, 200, intent);
    }
    if (request.method === 'POST' && path === '/v1/checkout/sessions') {
      const seen = idempotencyKey ? sessionKeys.get(`${account.id} ${idempotencyKey}`) : undefined;
      if (seen && seen.body === body)
        return answer(response, 200, publicSession(sessions.get(seen.sessionId)!), { 'idempotent-replayed': 'true' });
      if (seen)
        return answer(
          response,
          400,
          stripeError('idempotency_error', 'Keys for idempotent requests can only be used with the same parameters.'),
        );
      if (form.mode !== 'payment' || !form.success_url || !form.cancel_url)
        return answer(
          response,
          400,
          stripeError('invalid_request_error', 'mode, success_url and cancel_url are required'),
        );
      const session = createSession(account, form, key.slice(3, 7));
      if (idempotencyKey) sessionKeys.set(`${account.id} ${idempotencyKey}`, { body, sessionId: session.id });
      return answer(response, 200, session);
    }
    const match = /^\/v1\/payment_intents\/([^/]+)$/.exec(path);
    const intent = match ? intents.get(match[1]) : undefined;
    if (request.method === 'GET' && match && intent?.accountId === account.id)
      return answer(response, 200, publicIntent(intent));
    return answer(
      response,
      404,
      stripeError(
        'invalid_request_error',
        match ? `No such payment_intent: '${match[1]}'` : `Unrecognized request URL (${request.method}: ${path})`,
        {
          ...(match ? { code: 'resource_missing', param: 'intent' } : {}),
        },
      ),
    );
  }

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handle(request, response, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;

  return {
    /** The runtime option that points Fieldline's Stripe client here. */
    api: { host: '127.0.0.1', port, protocol: 'http' as const },
    requests,
    intents,
    sessions,
    /** A Stripe account whose secret key the fake accepts from now on. */
    addAccount(secretKey: string, name = 'Fake Stripe Co'): FakeStripeAccount {
      const account = { id: `acct_${token(16)}`, name };
      accounts.set(secretKey, account);
      return account;
    },
    /** The key stops working (rolled in the dashboard). */
    revoke: (secretKey: string) => accounts.delete(secretKey),
    /** Where `succeed` posts its events when not told (a Stripe webhook endpoint set in the dashboard). */
    webhookTo(webhook: { url: string; secret: string }) {
      defaultWebhook = webhook;
    },
    /**
     * The customer pays: the PaymentIntent succeeds, and Stripe posts the signed event to
     * `webhook.url` (a Fieldline inbound Stripe source on 127.0.0.1). Answers Fieldline's response.
     */
    succeed,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type StripeFake = Awaited<ReturnType<typeof startStripeFake>>;
