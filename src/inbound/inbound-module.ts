// Inbound webhooks: providers (Stripe, voice agents) post signed events to a source's URL;
// each verified event applies once, and every request is in the account's inbound log.
import { defineModule, provide } from '../platform/api/module.ts';
import { InboundLogRetention } from './inbound-log-retention.ts';
import { inboundOperation } from './inbound-operation.ts';
import { inboundRequests } from './inbound-requests-resource.ts';
import { inboundSources } from './inbound-sources-resource.ts';
import { serviceKey } from '../platform/api/service-key.ts';

/** Deletes inbound log entries past their retention, hourly. */
export const inboundRetention = serviceKey<InboundLogRetention>('inbound log retention');

export const inboundModule = defineModule({
  name: 'inbound',
  resources: [inboundSources, inboundRequests],
  operations: () => [inboundOperation],
  document: { tags: { Inbound: 'Signed events from providers (Stripe, voice agents) into the account.' } },
  provides: [
    provide(
      inboundRetention,
      (runtime) => new InboundLogRetention(runtime.db, runtime.logger, runtime.options.requestLogRetentionDays),
    ),
  ],
});
