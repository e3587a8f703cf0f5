// Realtime: the account's events as a Server-Sent Events stream that resumes exactly where a
// client left off, fed on every node by PostgreSQL LISTEN/NOTIFY.
import { defineModule, provide } from '../platform/api/module.ts';
import { EventStreamHub } from './event-stream-hub.ts';
import { eventStreamOperation, eventStreams } from './event-stream-operation.ts';
import { withEventStream } from './event-stream-schema.ts';

export const realtimeModule = defineModule({
  name: 'realtime',
  extend: { events: withEventStream },
  operations: (registry) => [eventStreamOperation(registry)],
  provides: [
    provide(
      eventStreams,
      (runtime) => new EventStreamHub(runtime.db, runtime.logger),
      (hub) => ({ start: () => hub.start(), stop: () => hub.stop(), endStreams: () => hub.stop() }),
    ),
  ],
});
