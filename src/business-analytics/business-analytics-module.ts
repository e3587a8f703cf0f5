// Business analytics: what the account's own data says about its business (jobs, technicians'
// time, money, the service desk, the sales pipeline), computed on request from the tenant's rows
// (and facts triggers keep beside them) in its time zone, under the `read:analytics` scope.
import { combineExtensions, defineModule } from '../platform/api/module.ts';
import { ANALYTICS_SCOPE } from './analytics-operation.ts';
import { analyticsIndexes } from './analytics-indexes.ts';
import { jobFacts } from './job-facts.ts';
import { lifetimeValueFacts } from './lifetime-value-facts.ts';
import { dashboardOperation } from './dashboard-operation.ts';
import { jobsAnalyticsOperation } from './jobs-operation.ts';
import { revenueAnalyticsOperation } from './revenue-operation.ts';
import { customersAnalyticsOperation } from './customers-operation.ts';
import { contactsAnalyticsOperation } from './contacts-operation.ts';
import { financeStatsOperation } from './finance-stats-operation.ts';

export const businessAnalyticsModule = defineModule({
  name: 'business-analytics',
  scopes: [ANALYTICS_SCOPE],
  extend: combineExtensions(analyticsIndexes, jobFacts, lifetimeValueFacts),
  operations: () => [
    dashboardOperation,
    jobsAnalyticsOperation,
    revenueAnalyticsOperation,
    customersAnalyticsOperation,
    contactsAnalyticsOperation,
    financeStatsOperation,
  ],
  document: {
    tags: {
      'Business analytics':
        "Jobs, revenue, customers and the pipeline over a period, in the account's time zone; " +
        'money per currency in minor units.',
    },
  },
});
