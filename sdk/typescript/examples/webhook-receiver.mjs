// Receive Fieldline webhooks: verify the Standard Webhooks signature on the raw body, then act.
//   FIELDLINE_WEBHOOK_SECRET=whsec_... node examples/webhook-receiver.mjs
import { createServer } from 'node:http';
import { Fieldline, WebhookVerificationError } from '@fieldline/sdk';

const secret = process.env.FIELDLINE_WEBHOOK_SECRET;

createServer(async (request, response) => {
  const chunks = [];
  for await (const chunk of request) chunks.push(chunk);
  const rawBody = Buffer.concat(chunks).toString('utf8'); // the exact bytes: never re-serialize the JSON
  try {
    const event = await Fieldline.webhooks.verify(rawBody, request.headers, secret);
    console.log(`${event.type} ${event.data.object.id}`);
    response.writeHead(204).end();
  } catch (error) {
    if (!(error instanceof WebhookVerificationError)) throw error;
    response.writeHead(400).end(error.message);
  }
}).listen(4000, () => console.log('listening on http://localhost:4000'));
