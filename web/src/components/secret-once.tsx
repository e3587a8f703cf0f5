// A secret the API answers once (API key, webhook signing secret, OAuth client secret): shown
// with a copy button and a plain warning that it will not be shown again.
import { useState } from 'react';

export function SecretOnce({ label, secret, onDismiss }: { label: string; secret: string; onDismiss?: () => void }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    await navigator.clipboard.writeText(secret).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  };
  return (
    <div className="notice notice-secret" role="status">
      <strong>{label}</strong>
      <p>Copy it now: it is shown only once and cannot be recovered.</p>
      <div className="secret-row">
        <code className="secret" data-testid="secret">
          {secret}
        </code>
        <button type="button" onClick={copy} autoFocus>
          {copied ? 'Copied' : 'Copy'}
        </button>
        {onDismiss ? (
          <button type="button" onClick={onDismiss}>
            Done
          </button>
        ) : null}
      </div>
    </div>
  );
}
