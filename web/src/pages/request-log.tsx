// Request.
import { PageHeader } from '../components/page-header.tsx';

export function RequestLogPage() {
  return <PageHeader title="Request" />;
}
