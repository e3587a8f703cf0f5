// API reference: code samples for any operation (curl, TypeScript SDK, Python SDK), and the
// interactive reference (Scalar) whose "Try it" calls this server with the key given here.
import { useState } from 'react';
import { PageHeader } from '../components/page-header.tsx';
import { ReferenceSamples } from '../components/reference-samples.tsx';
import { ScalarReference } from '../components/reference-scalar.tsx';
import { initialTryKey, TryKeyForm } from '../components/reference-try-key.tsx';
import './reference.css';

export function ReferencePage() {
  const [token, setToken] = useState(initialTryKey);
  return (
    <section>
      <PageHeader
        title="API reference"
        description="Every operation of the API: how to call it from your code, and a live reference to try it."
      >
        <a className="button" href="/docs">
          Open the full-page reference
        </a>
        <a className="button" href="/openapi.json" download>
          Download openapi.json
        </a>
      </PageHeader>
      <ReferenceSamples />
      <section className="card" aria-labelledby="try-it-heading">
        <h2 id="try-it-heading">Try it</h2>
        <p className="muted">
          The reference below sends real requests to this server, in the account of the key you give, with its scopes.
          Prefer a <code>fl_test_…</code> key with the fewest scopes you need.
        </p>
        <TryKeyForm onUse={setToken} />
      </section>
      <ScalarReference token={token} />
    </section>
  );
}
