// The CRM: customers and contacts, jobs and the work on them, dispatch and schedule, sales,
// billing, inventory and purchasing, the service desk, conversations and campaigns. One
// declaration per resource in this folder; this module lists them, in the order they are
// documented, and runs the campaign sender and the service agreement sweep.
import { defineModule, provide } from '../platform/api/module.ts';
import { CampaignSender, campaignSending } from './campaign-sender.ts';
import { AgreementSweep, agreementSweep, type AgreementSweepOptions } from './agreement-sweep.ts';
import { customers } from './customers.ts';
import { contacts } from './contacts.ts';
import { contactTags } from './contact-tags.ts';
import { contactNotes } from './contact-notes.ts';
import { notifications } from './notifications.ts';
import { conversations } from './conversations.ts';
import { messages } from './messages.ts';
import { conversationNotes } from './conversation-notes.ts';
import { tickets } from './tickets.ts';
import { leads } from './leads.ts';
import { estimates } from './estimates.ts';
import { quotes } from './quotes.ts';
import { reviewRequests } from './review-requests.ts';
import { knowledgeBaseArticles } from './knowledge-base-articles.ts';
import { callLogs } from './call-logs.ts';
import { jobs } from './jobs.ts';
import { serviceAgreements } from './service-agreements.ts';
import { invoices } from './invoices.ts';
import { payments } from './payments.ts';
import { inventoryItems } from './inventory-items.ts';
import { inventoryMovements } from './inventory-movements.ts';
import { suppliers } from './suppliers.ts';
import { purchaseOrders } from './purchase-orders.ts';
import { scheduleBlocks } from './schedule-blocks.ts';
import { locationPings } from './location-pings.ts';
import { jobMaterials } from './job-materials.ts';
import { timeEntries } from './time-entries.ts';
import { jobPhotos } from './job-photos.ts';
import { jobSignatures } from './job-signatures.ts';
import { emailTemplates } from './email-templates.ts';
import { campaigns } from './campaigns.ts';
import { campaignRecipients } from './campaign-recipients.ts';

declare module '../platform/contract.ts' {
  interface RuntimeOptions {
    /** The service agreement sweep's round interval and work per agreement per round. */
    serviceAgreements?: AgreementSweepOptions;
  }
}

export const crmModule = defineModule({
  name: 'crm',
  // The CRM is dispatchers' and office staff's to work with and everyone's to read; resources say
  // what else (billing, the technician's field work).
  roles: { dispatcher: 'write', office: 'write', read_only: 'read' },
  resources: [
    customers,
    contacts,
    contactTags,
    contactNotes,
    conversations,
    messages,
    conversationNotes,
    jobs,
    serviceAgreements,
    scheduleBlocks,
    locationPings,
    jobMaterials,
    timeEntries,
    jobPhotos,
    jobSignatures,
    invoices,
    payments,
    callLogs,
    inventoryItems,
    inventoryMovements,
    suppliers,
    purchaseOrders,
    notifications,
    tickets,
    knowledgeBaseArticles,
    leads,
    estimates,
    quotes,
    reviewRequests,
    emailTemplates,
    campaigns,
    campaignRecipients,
  ],
  provides: [
    provide(campaignSending, (runtime) => new CampaignSender(runtime, runtime.logger)),
    provide(
      agreementSweep,
      (runtime) => new AgreementSweep(runtime, runtime.logger, runtime.options.serviceAgreements),
    ),
  ],
});
