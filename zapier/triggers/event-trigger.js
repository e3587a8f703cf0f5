// One REST-hook trigger per Fieldline event type: Zapier subscribes its target URL with
// POST /v1/hooks when a Zap is turned on and unsubscribes with DELETE /v1/hooks/{id} when it is
// turned off. A delivery is the event itself; the sample and the polling fallback read the same
// shape from GET /v1/hooks/poll/{event_type}, and Zapier deduplicates both by the event's `id`.
'use strict';

const { baseUrl } = require('../base-url');

const eventTrigger = (type, label) => ({
  key: type.replace('.', '_'),
  noun: 'Event',
  display: { label, description: `Triggers when a ${type} event happens in Fieldline.` },
  operation: {
    type: 'hook',
    performSubscribe: async (z, bundle) => {
      const response = await z.request({
        url: `${baseUrl(bundle)}/v1/hooks`,
        method: 'POST',
        body: { target_url: bundle.targetUrl, event: type },
      });
      return response.data.data;
    },
    performUnsubscribe: async (z, bundle) => {
      const response = await z.request({
        url: `${baseUrl(bundle)}/v1/hooks/${bundle.subscribeData.id}`,
        method: 'DELETE',
      });
      return response.data.data;
    },
    perform: (z, bundle) => [bundle.cleanedRequest],
    performList: async (z, bundle) => {
      const response = await z.request({ url: `${baseUrl(bundle)}/v1/hooks/poll/${type}`, params: { limit: 25 } });
      return response.data.data;
    },
    sample: {
      id: 'evt_01JD3ZK4W1X6M9V8Q2R5T7Y0AB',
      object: 'event',
      type,
      api_version: '2026-01-01',
      created_at: '2026-01-15T12:00:00.000Z',
      data: { object: { id: 'cus_01JD3ZK4W1X6M9V8Q2R5T7Y0AB', object: type.split('.')[0] } },
    },
  },
});

module.exports = { eventTrigger };
