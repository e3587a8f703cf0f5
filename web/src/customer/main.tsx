// The customer pages, mounted at /c/{account_id}: every request is a /v1/customer call.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { CustomerApp } from './customer-app.tsx';
import './customer.css';

const accountId = window.location.pathname.split('/')[2] ?? '';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <CustomerApp accountId={decodeURIComponent(accountId)} />
  </StrictMode>,
);
