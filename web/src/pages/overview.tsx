// Home for a signed-in person: the four steps from nothing to a working integration, each
// checked against the account's real state, and where to go next.
import type { ReactNode } from 'react';
import { Link } from 'wouter';
import { fieldline } from '../api.ts';
import { allows, useSignedIn } from '../session.tsx';
import { useQuery } from '../use-query.ts';
import { PageHeader } from '../components/page-header.tsx';
import { ProblemNotice } from '../components/problem-notice.tsx';
import { OverviewUsage } from '../components/overview-usage.tsx';

interface Progress {
  keys: number;
  callsWithKeys: number;
  endpoints: number;
  deliveries: number;
}

async function loadProgress(): Promise<Progress> {
  const [keys, endpoints, deliveries] = await Promise.all([
    fieldline.apiKeys.list({ status: 'active', limit: 100 }),
    fieldline.webhookEndpoints.list({ limit: 1 }),
    fieldline.webhookDeliveries.list({ status: 'succeeded', limit: 1 }),
  ]);
  const keyIds = keys.data.map((key) => key.id);
  const calls = keyIds.length
    ? await fieldline.requestLogs.list({ 'api_key_id[in]': keyIds.join(','), limit: 1 })
    : { data: [] };
  return {
    keys: keys.data.length,
    callsWithKeys: calls.data.length,
    endpoints: endpoints.data.length,
    deliveries: deliveries.data.length,
  };
}

/** The integration steps need the administration scopes; other roles see where to start instead. */
const INTEGRATOR_SCOPES = ['read:api-keys', 'read:webhook-endpoints', 'read:webhook-deliveries', 'read:request-logs'];

export function OverviewPage() {
  const { person, member, scopes } = useSignedIn();
  const integrator = INTEGRATOR_SCOPES.every((scope) => allows(scopes, scope));
  const description = (
    <>
      Signed in as {person.name}, {member?.role.replace(/_/g, ' ') ?? 'member'} of{' '}
      <strong>{member?.account_name ?? 'no account'}</strong>.
    </>
  );
  if (!integrator) {
    return (
      <section>
        <PageHeader title="Overview" description={description} />
        <p>
          API keys, webhooks and traffic are managed by the account's owners and admins. Your role works in the CRM with
          your own sign-in: the <Link href="/reference">API reference</Link> shows every call, and the calls your role
          may make work with your session.
        </p>
      </section>
    );
  }
  return <IntegratorOverview description={description} />;
}

function IntegratorOverview({ description }: { description: ReactNode }) {
  const progress = useQuery(loadProgress, []);
  const p = progress.data;
  const steps = [
    {
      done: Boolean(p?.keys),
      title: 'Create an API key',
      text: 'Pick the scopes your integration needs; the secret is shown once.',
      href: '/keys',
      action: 'API keys',
    },
    {
      done: Boolean(p?.callsWithKeys),
      title: 'Make your first call',
      text: 'Call the API with your key: try it in the reference, or with the SDKs.',
      href: '/reference',
      action: 'Try it',
    },
    {
      done: Boolean(p?.endpoints),
      title: 'Add a webhook endpoint',
      text: 'Receive signed events such as job.completed or invoice.paid.',
      href: '/webhooks',
      action: 'Webhooks',
    },
    {
      done: Boolean(p?.deliveries),
      title: 'Deliver a test event',
      text: 'Press “Send test event” on your endpoint and see the delivery.',
      href: '/webhooks',
      action: 'Send a test',
    },
  ];
  return (
    <section>
      <PageHeader title="Overview" description={description} />
      <ProblemNotice error={progress.error} />
      <h2>Get started</h2>
      <ol className="checklist" aria-busy={progress.loading}>
        {steps.map((step) => (
          <li key={step.title} className={step.done ? 'done' : undefined}>
            <span className={step.done ? 'badge badge-good' : 'badge'}>{step.done ? 'Done' : 'To do'}</span>
            <div>
              <strong>{step.title}</strong>
              <p className="muted">{step.text}</p>
            </div>
            <Link className="button" href={step.href}>
              {step.action}
            </Link>
          </li>
        ))}
      </ol>
      <OverviewUsage />
      <h2>Reference</h2>
      <ul>
        <li>
          <Link href="/reference">API reference and code samples</Link> (also at <a href="/docs">/docs</a>, and{' '}
          <a href="/openapi.json">openapi.json</a>)
        </li>
        <li>
          SDKs: <code>sdk/typescript</code> (<code>@fieldline/sdk</code>) and <code>sdk/python</code> (
          <code>fieldline</code>), generated from the same document.
        </li>
      </ul>
    </section>
  );
}
