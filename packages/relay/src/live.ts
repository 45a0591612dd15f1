import { EventEmitter } from 'node:events';
import type { LiveDelivery, LiveEvent } from './api-types';

export type { LiveDelivery, LiveEvent } from './api-types';

/** What the relay tells live listeners (the console's stream). Never carries a secret. */
export class LiveFeed extends EventEmitter<{ event: [LiveEvent]; delivery: [LiveDelivery] }> {
  constructor() {
    super();
    this.setMaxListeners(1000);
  }
}
