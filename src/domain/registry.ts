// Every resource of the public API. Adding a resource: declare it in its own file, list it here.
import { Registry } from '../platform/registry.ts';
import { events } from '../platform/events/events-resource.ts';
import { requestLogs } from '../analytics/request-logs-resource.ts';
import { alertRules } from '../analytics/alert-rules-resource.ts';
import { alerts } from '../analytics/alerts-resource.ts';
import { webhookEndpoints } from '../webhooks/webhook-endpoints-resource.ts';
import { webhookDeliveries } from '../webhooks/webhook-deliveries-resource.ts';
import { withRedeliver } from '../webhooks/redeliver-event.ts';
import { withEventStream } from '../realtime/event-stream-schema.ts';
import { inboundSources } from '../inbound/inbound-sources-resource.ts';
import { inboundRequests } from '../inbound/inbound-requests-resource.ts';
import { apiKeys } from '../auth/api-keys-resource.ts';
import { auditEntries } from '../auth/audit-entries-resource.ts';
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
import { users } from './users.ts';
import { jobs } from './jobs.ts';
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

export function createRegistry(): Registry {
  return new Registry([
    customers,
    contacts,
    contactTags,
    contactNotes,
    conversations,
    messages,
    conversationNotes,
    users,
    jobs,
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
    withEventStream(withRedeliver(events)),
    requestLogs,
    alertRules,
    alerts,
    auditEntries,
    webhookEndpoints,
    webhookDeliveries,
    inboundSources,
    inboundRequests,
    apiKeys,
  ]);
}
