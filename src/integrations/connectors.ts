// Every connector the server offers, by provider. Register a new one here (see connector.ts).
import type { Connector } from './connector.ts';
import { gmailConnector } from './google/gmail-connector.ts';
import { microsoftConnector } from './microsoft/microsoft-connector.ts';
import { quickBooksConnector } from './quickbooks/quickbooks-connector.ts';

export const CONNECTORS: readonly Connector[] = [gmailConnector, quickBooksConnector, microsoftConnector];

export const connectorOf = (provider: string): Connector | undefined =>
  CONNECTORS.find((connector) => connector.provider === provider);
