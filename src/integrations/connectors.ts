// Every connector the server offers, by provider. Register a new one here (see connector.ts).
import type { Connector } from './connector.ts';
import { gmailConnector } from './google/gmail-connector.ts';
import { googleCalendarConnector } from './google/google-calendar-connector.ts';
import { microsoftCalendarConnector } from './microsoft/microsoft-calendar-sync.ts';
import { microsoftConnector } from './microsoft/microsoft-connector.ts';
import { quickBooksConnector } from './quickbooks/quickbooks-connector.ts';

export const CONNECTORS: readonly Connector[] = [
  gmailConnector,
  quickBooksConnector,
  microsoftConnector,
  googleCalendarConnector,
  microsoftCalendarConnector,
];

export const connectorOf = (provider: string): Connector | undefined =>
  CONNECTORS.find((connector) => connector.provider === provider);
