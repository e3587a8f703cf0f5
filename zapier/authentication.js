// API-key authentication: the key (fl_live_... or fl_test_...) is sent as a Bearer token on every
// request; the connection test asks the server who the key is, and its label names the connection.
'use strict';

const { baseUrl } = require('./base-url');

module.exports = {
  type: 'custom',
  fields: [
    {
      key: 'api_key',
      label: 'API key',
      required: true,
      type: 'password',
      helpText:
        'A Fieldline API key with read:events, read:webhook-endpoints, write:webhook-endpoints and the read ' +
        'scopes of the objects your triggers carry (read:customers, read:jobs, ...).',
    },
    {
      key: 'base_url',
      label: 'API URL',
      required: false,
      type: 'string',
      helpText: 'Your Fieldline server, e.g. https://api.example.com (default: FIELDLINE_URL).',
    },
  ],
  test: async (z, bundle) => {
    const response = await z.request({ url: `${baseUrl(bundle)}/v1/hooks/me` });
    return response.data.data;
  },
  connectionLabel: '{{bundle.inputData.label}}',
};
