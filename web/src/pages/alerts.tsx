// Alerts.
import { PageHeader } from '../components/page-header.tsx';

export function AlertsPage() {
  return <PageHeader title="Alerts" />;
}
