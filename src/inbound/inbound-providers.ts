// Every inbound provider, by the name in its URL: /v1/inbound/{provider}/{token}.
import type { InboundProvider } from './inbound-provider.ts';
import { elevenLabsProvider } from './elevenlabs-provider.ts';
import { stripeProvider } from './stripe-provider.ts';
import { voiceProvider } from './voice-provider.ts';

export const INBOUND_PROVIDERS: Readonly<Record<string, InboundProvider>> = {
  stripe: stripeProvider,
  voice: voiceProvider,
  elevenlabs: elevenLabsProvider,
};
export const INBOUND_PROVIDER_NAMES = Object.keys(INBOUND_PROVIDERS) as [string, ...string[]];
