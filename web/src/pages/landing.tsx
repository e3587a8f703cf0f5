// The front door for someone signed out: what the portal is, and the way in.
import { Link } from 'wouter';
import { PageHeader } from '../components/page-header.tsx';

export function LandingPage() {
  return (
    <section className="landing">
      <PageHeader
        title="Fieldline for developers"
        description="The API of your field-service business: customers, jobs, dispatch, invoices and payments."
      />
      <p>
        Create API keys, register OAuth apps, receive signed webhooks, read every request your integrations make and
        watch your usage — all here, all through the same public API your code calls.
      </p>
      <div className="actions">
        <Link className="button button-primary" href="/sign-up">
          Create an account
        </Link>
        <Link className="button" href="/sign-in">
          Sign in
        </Link>
        <a className="button" href="/docs">
          API reference
        </a>
      </div>
      <ol className="steps">
        <li>
          <strong>Create a key</strong> with exactly the scopes your integration needs.
        </li>
        <li>
          <strong>Make a call</strong>:{' '}
          <code>curl -H "Authorization: Bearer fl_test_…" {window.location.origin}/v1/customers</code>
        </li>
        <li>
          <strong>Subscribe a webhook</strong> to the events you care about, and press “Send test”.
        </li>
        <li>
          <strong>Watch</strong> the request log and usage charts fill in.
        </li>
      </ol>
    </section>
  );
}
