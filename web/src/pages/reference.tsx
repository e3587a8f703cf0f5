// API reference.
import { PageHeader } from '../components/page-header.tsx';

export function ReferencePage() {
  return <PageHeader title="API reference" />;
}
