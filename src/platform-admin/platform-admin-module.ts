// Platform administration: the operators who run Fieldline as a service (in no account, made by
// the CLI), their sign-in, the accounts they administer (status, plan, limits, suspension), plans, usage
// across accounts, and the append-only log of what they did. README: "Running Fieldline as a service".
import { defineModule, provide } from '../platform/api/module.ts';
import { operatorCredentials } from '../http/http-services.ts';
import { PLATFORM_ADMIN_MIGRATIONS } from './platform-admin-migrations.ts';
import { OperatorSessionVerifier } from './operator-sessions.ts';
import { operatorSignInOperations } from './operator-sign-in-operations.ts';
import { PLATFORM_TAG } from './platform-tag.ts';
import { accountAdminOperations } from './account-admin-operations.ts';
import { accountSuspensionOperations } from './account-suspension-operations.ts';
import { usageOperation } from './usage-operation.ts';
import { auditLogOperation } from './audit-log-operation.ts';
import { planAdminOperations } from './plan-admin-operations.ts';

export const platformAdminModule = defineModule({
  name: 'platform-admin',
  operations: () => [
    ...operatorSignInOperations,
    ...accountAdminOperations,
    ...accountSuspensionOperations,
    ...planAdminOperations,
    usageOperation,
    auditLogOperation,
  ],
  migrations: PLATFORM_ADMIN_MIGRATIONS,
  provides: [
    provide(
      operatorCredentials,
      (runtime) => new OperatorSessionVerifier(runtime.db),
      () => ({}),
    ),
  ],
  document: {
    tags: {
      [PLATFORM_TAG]:
        'Platform administration (`/v1/platform/...`), for the operators who run Fieldline as a service: ' +
        "accounts, their status and limits, plans, usage across accounts and the operators' audit log. Authenticated " +
        'by an operator session (`operatorSession`); to any other credential these routes do not exist (404).',
    },
    securitySchemes: () => ({
      operatorSession: {
        type: 'http',
        scheme: 'bearer',
        description:
          "A platform operator's session token (`flop_...`) from `POST /v1/platform/sign-in`. Operators are made " +
          'with `fieldline operators create` and belong to no account.',
      },
    }),
  },
});
