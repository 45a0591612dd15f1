import type { MessagePort } from 'node:worker_threads';
import type { DestinationGuard } from '@hookbridge/core';
import type { LiveDelivery } from '../api-types';
import type { RelayConfig } from '../config/schema';

/** What the delivery thread starts with. */
export interface DeliveryThreadData {
  config: RelayConfig;
  guard: DestinationGuard;
  logLevel: string;
  /** The relay's name on a shared store. */
  instance: string;
  /** SQLite: the way to the main thread's writes. */
  writesPort?: MessagePort;
}

export type ToDeliveryThread = { kind: 'start' } | { kind: 'wake' } | { kind: 'stop'; graceMs: number };

/** What the thread reports, batched per turn: the main thread owns logs, prints, metrics and the live feed. */
export type FromDeliveryThread =
  | { kind: 'log'; line: string }
  | { kind: 'print'; line: string }
  | { kind: 'metric'; name: 'delivered' | 'failed' | 'retries'; route: string }
  | { kind: 'latency'; route: string; seconds: number }
  | { kind: 'feed'; delivery: LiveDelivery }
  | { kind: 'stopped' };
