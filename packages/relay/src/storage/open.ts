import type { MessagePort } from 'node:worker_threads';
import type { RelayConfig } from '../config/schema';
import { PostgresStore } from './postgres-store';
import { SqliteStore } from './sqlite-store';
import type { Store } from './store';

export interface OpenedStore {
  store: Store;
  /** SQLite: deliveries found in flight from the last run, queued again. */
  recovered: number;
  /** SQLite on a file: the delivery thread's way to the main thread's writes. */
  deliveryPort?: MessagePort;
  /** Whether deliveries must run on this thread (an in-memory database is not shared with threads). */
  inline: boolean;
}

function postgresStore(url: string, config: RelayConfig['storage'], instance: string): PostgresStore {
  return new PostgresStore(url, { instance, poolSize: config.poolSize, queryTimeoutMs: config.queryTimeout });
}

/** The relay's store, as configured: PostgreSQL with `storage.url`, else the SQLite file at `storage.path`. */
export function openStore(config: RelayConfig['storage'], instance: string): OpenedStore {
  if (config.url) return { store: postgresStore(config.url, config, instance), recovered: 0, inline: false };
  const { store, recovered, deliveryPort } = SqliteStore.open(config);
  return { store, recovered, deliveryPort, inline: !deliveryPort };
}

/** The delivery thread's store: its own PostgreSQL pool, or SQLite reads here and writes through `port`. */
export function openDeliveryStore(config: RelayConfig['storage'], instance: string, port?: MessagePort): Store {
  if (config.url) return postgresStore(config.url, config, instance);
  if (!port) throw new Error('the SQLite delivery thread needs a port to the main thread (its writes)');
  return SqliteStore.forDeliveryThread(config, port);
}
