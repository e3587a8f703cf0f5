// The developer portal: mounted at /portal, every page a client of the public /v1 API.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Router } from 'wouter';
import { SessionProvider } from './session.tsx';
import { App } from './app.tsx';
import 'uplot/dist/uPlot.min.css';
import './styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Router base="/portal">
      <SessionProvider>
        <App />
      </SessionProvider>
    </Router>
  </StrictMode>,
);
