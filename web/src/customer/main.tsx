// The customer pages: /c/{account_id or slug} (signed in: everything of theirs) and
// /c/documents/{token} (one document from its mailed link). Every request is a /v1/customer call.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { CustomerApp } from './customer-app.tsx';
import { DocumentPage } from './document-page.tsx';
import './customer.css';

const [, , first = '', second = ''] = window.location.pathname.split('/');

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    {first === 'documents' ? (
      <DocumentPage token={decodeURIComponent(second)} />
    ) : (
      <CustomerApp portal={decodeURIComponent(first)} />
    )}
  </StrictMode>,
);
