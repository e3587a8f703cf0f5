// How webhook endpoints and deliveries read at a glance: status badges, an events summary, counts.
import type { Schema } from '../api.ts';

type Delivery = Schema<'WebhookDelivery'>;

export function EndpointStatusBadge({ status }: { status: string }) {
  return status === 'enabled' ? (
    <span className="badge badge-good">Enabled</span>
  ) : (
    <span className="badge badge-bad">Disabled</span>
  );
}

/** A failed attempt with a next try due is still being retried: amber, not red. */
export function DeliveryStatusBadge({ delivery }: { delivery: Pick<Delivery, 'status' | 'next_attempt_at'> }) {
  if (delivery.status === 'succeeded') return <span className="badge badge-good">Succeeded</span>;
  if (delivery.next_attempt_at) return <span className="badge badge-warn">Failed, will retry</span>;
  return <span className="badge badge-bad">Failed</span>;
}

/** "All events", or the first few types and how many more. */
export function eventsSummary(events: readonly string[], shown = 2): string {
  if (events.includes('*')) return 'All events (*)';
  if (events.length <= shown) return events.join(', ');
  return `${events.slice(0, shown).join(', ')} +${events.length - shown} more`;
}

/** "1 endpoint", "3 endpoints". */
export function countOf(count: number, noun: string, plural = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : plural}`;
}
