// Stripe Billing's API on 127.0.0.1, as far as Fieldline's billing of its accounts uses it and as
// Stripe documents it (form bodies, `Authorization: Bearer sk_...`, Stripe's list and error
// objects): customers, subscriptions (create, retrieve, update its items, cancel), billing meter
// events (one per `identifier`, as Stripe dedupes them), and invoices listed per customer. Tests
// add invoices and sign events as Stripe would post them (`signedEvent`).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import { decodeForm } from './stripe-fake.ts';

const token = (length: number) => randomBytes(length).toString('hex').slice(0, length);

export interface FakeSubscription {
  id: string;
  object: 'subscription';
  customer: string;
  status: 'active' | 'canceled';
  metadata: Record<string, string>;
  items: {
    object: 'list';
    data: { id: string; object: 'subscription_item'; price: { id: string; object: 'price' } }[];
  };
}

export interface FakeMeterEvent {
  object: 'billing.meter_event';
  event_name: string;
  identifier: string;
  timestamp: number;
  payload: { stripe_customer_id: string; value: string };
}

const list = (data: unknown[], url: string) => ({ object: 'list', data, has_more: false, url });
const stripeError = (message: string) => ({ error: { type: 'invalid_request_error', message } });

export async function startStripeBillingFake(secretKey: string, webhookSecret: string) {
  const customers = new Map<
    string,
    { id: string; object: 'customer'; name: string; metadata: Record<string, string> }
  >();
  const subscriptions = new Map<string, FakeSubscription>();
  const meterEvents = new Map<string, FakeMeterEvent>();
  const invoices: Stripe.Invoice[] = [];

  const itemsOf = (form: Record<string, any>) =>
    Object.values((form.items ?? {}) as Record<string, { price?: string; id?: string; deleted?: string }>);

  function route(method: string, path: string, query: URLSearchParams, form: Record<string, any>): [number, unknown] {
    if (method === 'POST' && path === '/v1/customers') {
      const customer = {
        id: `cus_${token(14)}`,
        object: 'customer' as const,
        name: form.name,
        metadata: form.metadata ?? {},
      };
      customers.set(customer.id, customer);
      return [200, customer];
    }
    if (method === 'POST' && path === '/v1/subscriptions') {
      if (!customers.has(form.customer)) return [404, stripeError(`No such customer: '${form.customer}'`)];
      const subscription: FakeSubscription = {
        id: `sub_${token(14)}`,
        object: 'subscription',
        customer: form.customer,
        status: 'active',
        metadata: form.metadata ?? {},
        items: { object: 'list', data: [] },
      };
      for (const item of itemsOf(form))
        subscription.items.data.push({
          id: `si_${token(14)}`,
          object: 'subscription_item',
          price: { id: item.price!, object: 'price' },
        });
      subscriptions.set(subscription.id, subscription);
      return [200, subscription];
    }
    const one = /^\/v1\/subscriptions\/(sub_\w+)$/.exec(path);
    if (one) {
      const subscription = subscriptions.get(one[1]);
      if (!subscription) return [404, stripeError(`No such subscription: '${one[1]}'`)];
      if (method === 'GET') return [200, subscription];
      if (method === 'DELETE') {
        subscription.status = 'canceled';
        return [200, subscription];
      }
      for (const item of itemsOf(form)) {
        if (item.id && item.deleted === 'true')
          subscription.items.data = subscription.items.data.filter((existing) => existing.id !== item.id);
        else if (item.price)
          subscription.items.data.push({
            id: `si_${token(14)}`,
            object: 'subscription_item',
            price: { id: item.price, object: 'price' },
          });
      }
      Object.assign(subscription.metadata, form.metadata ?? {});
      return [200, subscription];
    }
    if (method === 'POST' && path === '/v1/billing/meter_events') {
      if (!form.event_name || !form.payload?.stripe_customer_id || !form.payload?.value)
        return [400, stripeError('event_name, payload[stripe_customer_id] and payload[value] are required')];
      const event: FakeMeterEvent = {
        object: 'billing.meter_event',
        event_name: form.event_name,
        identifier: form.identifier ?? `mev_${token(14)}`,
        timestamp: Number(form.timestamp ?? Math.floor(Date.now() / 1000)),
        payload: form.payload,
      };
      if (!meterEvents.has(event.identifier)) meterEvents.set(event.identifier, event);
      return [200, meterEvents.get(event.identifier)];
    }
    if (method === 'GET' && path === '/v1/invoices') {
      const customer = query.get('customer');
      return [200, list(invoices.filter((invoice) => invoice.customer === customer).reverse(), '/v1/invoices')];
    }
    return [404, stripeError(`Unrecognized request URL (${method}: ${path})`)];
  }

  async function handle(request: IncomingMessage, response: ServerResponse, body: string) {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, json: unknown) =>
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
    if (request.headers.authorization !== `Bearer ${secretKey}`)
      return send(401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided' } });
    const [status, json] = route(request.method ?? 'GET', url.pathname, url.searchParams, decodeForm(body));
    send(status, json);
  }

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handle(request, response, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;

  return {
    api: { host: '127.0.0.1', port, protocol: 'http' as const },
    customers,
    subscriptions,
    meterEvents: () => [...meterEvents.values()],
    /** Stripe finalizes an invoice for the customer (listed from then on). */
    addInvoice(customer: string, fields: { total: number; status: Stripe.Invoice.Status; periodStart: Date }) {
      const invoice = {
        id: `in_${token(14)}`,
        object: 'invoice',
        customer,
        currency: 'usd',
        status: fields.status,
        total: fields.total,
        period_start: Math.floor(fields.periodStart.getTime() / 1000),
        hosted_invoice_url: `http://127.0.0.1:${port}/invoices/${customer}`,
        lines: list(
          [{ object: 'line_item', description: 'Standard plan', amount: fields.total }],
          '/v1/invoices/lines',
        ),
      } as unknown as Stripe.Invoice;
      invoices.push(invoice);
      return invoice;
    },
    /** An event as Stripe posts it: the JSON payload and its `Stripe-Signature` header. */
    signedEvent(type: string, object: unknown) {
      const payload = JSON.stringify({
        id: `evt_${token(14)}`,
        object: 'event',
        type,
        created: Math.floor(Date.now() / 1000),
        data: { object },
        livemode: false,
        api_version: '2026-10-28.endive',
      });
      return { payload, signature: Stripe.webhooks.generateTestHeaderString({ payload, secret: webhookSecret }) };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
