// Event deliveries.
import { PageHeader } from '../components/page-header.tsx';

export function EventDeliveriesPage() {
  return <PageHeader title="Event deliveries" />;
}
