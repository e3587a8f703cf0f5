// The Fieldline app for Zapier (Zapier Platform CLI): API-key authentication and a REST-hook
// trigger per event type. `zapier push` publishes it; `npm test` runs it against a local server.
'use strict';

const { version: platformVersion } = require('zapier-platform-core');
const { version } = require('./package.json');
const authentication = require('./authentication');
const { eventTrigger } = require('./triggers/event-trigger');

const TRIGGERS = [
  eventTrigger('customer.created', 'New Customer'),
  eventTrigger('job.scheduled', 'Job Scheduled'),
  eventTrigger('job.completed', 'Job Completed'),
  eventTrigger('invoice.paid', 'Invoice Paid'),
];

const addBearerToken = (request, z, bundle) => {
  if (bundle.authData.api_key) request.headers.Authorization = `Bearer ${bundle.authData.api_key}`;
  return request;
};

module.exports = {
  version,
  platformVersion,
  authentication,
  beforeRequest: [addBearerToken],
  triggers: Object.fromEntries(TRIGGERS.map((trigger) => [trigger.key, trigger])),
};
