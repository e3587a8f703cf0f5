// The interactive API reference (Scalar, served by the API at /docs/scalar.js) mounted in the
// page, its "Try it" requests authenticated with the key given. The script is added at runtime
// (the portal's CSP allows scripts from 'self' only, never inline).
import { useEffect, useRef, useState } from 'react';
import { ProblemNotice } from './problem-notice.tsx';

interface ScalarInstance {
  destroy(): void;
}

interface ScalarGlobal {
  createApiReference(element: Element, configuration: Record<string, unknown>): ScalarInstance;
}

const SCRIPT_URL = '/docs/scalar.js';
let loading: Promise<ScalarGlobal> | undefined;

function loadScalar(): Promise<ScalarGlobal> {
  loading ??= new Promise<ScalarGlobal>((resolve, reject) => {
    const found = (window as { Scalar?: ScalarGlobal }).Scalar;
    if (found) return resolve(found);
    const script = document.createElement('script');
    script.src = SCRIPT_URL;
    script.async = true;
    script.onload = () => {
      const scalar = (window as { Scalar?: ScalarGlobal }).Scalar;
      if (scalar?.createApiReference) resolve(scalar);
      else reject(new Error(`${SCRIPT_URL} loaded but did not define Scalar.createApiReference`));
    };
    script.onerror = () => {
      script.remove();
      reject(new Error(`The interactive reference (${SCRIPT_URL}) did not load`));
    };
    document.head.append(script);
  }).catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

function configuration(token: string): Record<string, unknown> {
  return {
    url: '/openapi.json',
    servers: [{ url: window.location.origin, description: 'This server' }],
    authentication: { preferredSecurityScheme: 'bearerAuth', securitySchemes: { bearerAuth: { token } } },
    persistAuth: false,
    withDefaultFonts: false,
    telemetry: false,
    hideDarkModeToggle: true,
    forceDarkModeState: 'light',
    showDeveloperTools: 'never',
    documentDownloadType: 'json',
    // Scalar's "Ask AI" talks to Scalar's servers, which the portal's CSP (connect-src 'self') refuses.
    agent: { disabled: true },
  };
}

/** Mounts Scalar into its own element (React renders nothing inside it); a new key mounts it again. */
export function ScalarReference({ token }: { token: string }) {
  const container = useRef<HTMLDivElement>(null);
  const [ready, setReady] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let instance: ScalarInstance | undefined;
    let cancelled = false;
    setError(null);
    loadScalar().then(
      (scalar) => {
        if (cancelled || !container.current) return;
        instance = scalar.createApiReference(container.current, configuration(token));
        setReady(true);
      },
      (failure: unknown) => {
        if (!cancelled) setError(failure);
      },
    );
    return () => {
      cancelled = true;
      instance?.destroy();
    };
  }, [token]);
  return (
    <div className="reference-scalar" aria-busy={!ready && !error}>
      <ProblemNotice error={error} title="The interactive reference is not available" />
      {!ready && !error ? <p className="muted reference-loading">Loading the interactive reference…</p> : null}
      <div ref={container} data-testid="scalar-reference" />
    </div>
  );
}
