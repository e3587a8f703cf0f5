// The customer side of Fieldline: end customers of an account sign in by code or magic link and
// see, through /v1/customer/..., only their own jobs, invoices, estimates, quotes, tickets and
// visit requests (and the account's published articles); they accept or decline proposals, ask
// for visits and help, and download their documents. Staff invite them, revoke their access and
// decide their visit requests (`schedule-requests`).
import { defineModule, provide } from '../platform/api/module.ts';
import { customerCredentials } from '../http/http-services.ts';
import { customerAuthOperations } from './customer-auth-operations.ts';
import { CUSTOMER_VIEWS } from './customer-collections.ts';
import { customerDocumentOperations } from './customer-documents.ts';
import { customerPaymentOperations } from './customer-payments.ts';
import { documentLinkOperations } from './document-link-operations.ts';
import { customerProfileOperation } from './customer-profile.ts';
import { customerRequestOperations } from './customer-requests.ts';
import { CustomerSessionVerifier, customerSessions } from './customer-sessions.ts';
import { credentialVersions } from '../auth/auth-services.ts';
import { CUSTOMER_TAG, customerViewOperations } from './customer-views.ts';
import { withPortalAccess } from './portal-access.ts';
import { portalAddressOperations } from './portal-address.ts';
import { PORTAL_MIGRATIONS } from './portal-migrations.ts';
import { scheduleRequests } from './schedule-requests.ts';

export const customerPortalModule = defineModule({
  name: 'customer-portal',
  resources: [scheduleRequests],
  extend: { customers: withPortalAccess },
  operations: (registry) => [
    ...customerAuthOperations,
    customerProfileOperation,
    ...customerRequestOperations(registry),
    ...customerDocumentOperations(registry),
    ...customerPaymentOperations,
    ...documentLinkOperations,
    ...portalAddressOperations,
    ...Object.values(CUSTOMER_VIEWS).flatMap((view) => customerViewOperations(registry, view)),
  ],
  migrations: PORTAL_MIGRATIONS,
  provides: [
    provide(
      customerSessions,
      (runtime) =>
        new CustomerSessionVerifier(runtime.db, { logger: runtime.logger, versions: runtime.find(credentialVersions) }),
    ),
    // The same verifier, as the HTTP gate reaches it (started once, above).
    provide(
      customerCredentials,
      (runtime) => runtime.use(customerSessions),
      () => ({}),
    ),
  ],
  document: {
    tags: {
      [CUSTOMER_TAG]:
        "The end customer's API (`/v1/customer/...`): sign in by code or magic link, then their own jobs, " +
        'invoices, estimates, quotes, tickets and visit requests. Authenticated by a customer session ' +
        '(`customerSession`), never by an API key.',
    },
    securitySchemes: () => ({
      customerSession: {
        type: 'http',
        scheme: 'bearer',
        description:
          "An end customer's session token (`flc_...`) from `POST /v1/customer/auth/verify`, or its " +
          '`fieldline_customer` cookie on the hosted pages.',
      },
    }),
  },
});
