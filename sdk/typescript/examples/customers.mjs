// Create a customer, schedule a job for them, and list every active customer.
//   FIELDLINE_API_KEY=fl_test_... FIELDLINE_BASE_URL=http://localhost:3000 node examples/customers.mjs
import { Fieldline, FieldlineError } from '@fieldline/sdk';

const fieldline = new Fieldline({ apiKey: process.env.FIELDLINE_API_KEY, baseUrl: process.env.FIELDLINE_BASE_URL });

try {
  const customer = await fieldline.customers.create({ name: 'Ada Lovelace', email: 'ada@example.com' });
  console.log(`created ${customer.id}`);

  const job = await fieldline.jobs.create({ title: 'Annual boiler service', customer_id: customer.id });
  await fieldline.jobs.schedule(job.id, {
    scheduled_start: '2030-01-07T09:00:00Z',
    scheduled_end: '2030-01-07T11:00:00Z',
  });
  console.log(`scheduled ${job.id}`);

  // Every page, fetched as the loop needs it.
  for await (const c of fieldline.customers.list({ status: 'active', limit: 50 })) console.log(`${c.id} ${c.name}`);
} catch (error) {
  if (error instanceof FieldlineError)
    console.error(`${error.status} ${error.code}: ${error.detail} (request ${error.requestId})`);
  else throw error;
  process.exitCode = 1;
}
