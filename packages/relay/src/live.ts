import { EventEmitter } from 'node:events';

/** A stored event, as the console's live list shows it. */
export interface LiveEvent {
  rowid: number;
  source: string;
  eventId: string;
  type: string;
  provider: string;
  deliveries: number;
  receivedAt: number;
}

/** A delivery's new state after an attempt. */
export interface LiveDelivery {
  rowid: number;
  deliveryId: number;
  route: string;
  status: 'delivered' | 'pending' | 'dead';
  attempts: number;
  lastStatus?: number;
  error?: string;
  at: number;
}

/** What the relay tells live listeners (the console's stream). Never carries a secret. */
export class LiveFeed extends EventEmitter<{ event: [LiveEvent]; delivery: [LiveDelivery] }> {
  constructor() {
    super();
    this.setMaxListeners(1000);
  }
}
