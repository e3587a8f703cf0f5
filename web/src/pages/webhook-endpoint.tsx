// Webhook endpoint.
import { PageHeader } from '../components/page-header.tsx';

export function WebhookEndpointPage() {
  return <PageHeader title="Webhook endpoint" />;
}
