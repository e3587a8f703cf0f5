// The push channel's services, by key (the delivery module provides them).
import { serviceKey } from '../../platform/api/service-key.ts';
import type { PushRelay } from './push-relay.ts';
import type { VapidKeyStore } from './vapid-keys.ts';

/** The server's VAPID key pair. */
export const vapidKeys = serviceKey<VapidKeyStore>('the VAPID key pair');

/** Hands the push outbox to browsers' push services. */
export const pushRelay = serviceKey<PushRelay>('the push relay');
