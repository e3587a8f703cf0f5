// Request logs.
import { PageHeader } from '../components/page-header.tsx';

export function RequestLogsPage() {
  return <PageHeader title="Request logs" />;
}
