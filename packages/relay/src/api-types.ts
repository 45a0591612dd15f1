/**
 * Shapes the admin API and the live stream send, shared with the console (a browser
 * bundle), so this file imports nothing from Node.
 */

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
  status: 'delivered' | 'pending' | 'failed';
  attempts: number;
  lastStatus?: number;
  error?: string;
  at: number;
}

/** The columns of a stored event that every view of it shows. */
export interface EventColumns {
  id: number;
  source: string;
  event_id: string;
  provider: string;
  type: string;
  occurred_at: string;
  received_at: number;
}

/** One row of `GET /admin/events`: an event and how its deliveries stand. */
export interface EventSummary extends EventColumns {
  delivered: number;
  failed: number;
  pending: number;
}

/** One attempt at one delivery. */
export interface AttemptRow {
  id: number;
  delivery_id: number;
  attempt: number;
  started_at: number;
  duration_ms: number;
  status: number | null;
  error: string | null;
  retry_at: number | null;
}
