// A server-to-server integration with OAuth 2.0 client credentials: the provider fetches a
// token, reuses it until shortly before it expires, and fetches a new one when it is refused.
//   FIELDLINE_CLIENT_ID=... FIELDLINE_CLIENT_SECRET=... node examples/oauth-client-credentials.mjs
import { Fieldline, clientCredentials } from '@fieldline/sdk';

const fieldline = new Fieldline({
  baseUrl: process.env.FIELDLINE_BASE_URL,
  auth: clientCredentials({
    clientId: process.env.FIELDLINE_CLIENT_ID,
    clientSecret: process.env.FIELDLINE_CLIENT_SECRET,
    scope: 'read:customers read:jobs',
  }),
});

const { data, page } = await fieldline.jobs.list({ status: 'scheduled', sort: 'scheduled_start', limit: 10 });
for (const job of data) console.log(`${job.scheduled_start} ${job.title}`);
if (page.has_more) console.log('(more on the next page)');
