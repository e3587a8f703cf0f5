// OAuth apps.
import { PageHeader } from '../components/page-header.tsx';

export function OAuthAppsPage() {
  return <PageHeader title="OAuth apps" />;
}
