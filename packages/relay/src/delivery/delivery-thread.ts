// The delivery thread: claims, sends and records deliveries (see DeliveryThread), so outbound
// HTTP does not share a core with intake. Logs, printed lines, metrics and live-feed entries
// go back to the main thread, which owns them.
import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import { onTemplateWarning } from '@hookbridge/core';
import { openDeliveryStore } from '../storage/open';
import { DeliveryWorker, type DeliveryMetrics } from './worker';
import type { DeliveryThreadData, FromDeliveryThread, ToDeliveryThread } from './thread-messages';

const { config, guard, logLevel, instance, writesPort } = workerData as DeliveryThreadData;
const port = parentPort!;

const outbox: FromDeliveryThread[] = [];
function send(message: FromDeliveryThread): void {
  if (outbox.length === 0) setImmediate(() => port.postMessage(outbox.splice(0)));
  outbox.push(message);
}

const counter = (name: 'delivered' | 'failed' | 'retries') => ({
  inc: ({ route }: { route: string }) => send({ kind: 'metric', name, route }),
});
const metrics: DeliveryMetrics = {
  delivered: counter('delivered'),
  failed: counter('failed'),
  retries: counter('retries'),
  latency: { observe: ({ route }, seconds) => send({ kind: 'latency', route, seconds }) },
};
const logger = pino({ level: logLevel }, { write: (line: string) => send({ kind: 'log', line }) });
onTemplateWarning((w) => logger.warn({ template: w.template, property: w.property }, w.message));
// SQLite: a read connection of its own, writes through the main thread's connection. PostgreSQL: a pool of its own.
const store = openDeliveryStore(config.storage, instance, writesPort);
const worker = new DeliveryWorker(store, instance, config, metrics, logger, guard, (line) => send({ kind: 'print', line }), {
  emit: (_name, delivery) => send({ kind: 'feed', delivery }),
});

port.on('message', (message: ToDeliveryThread) => {
  if (message.kind === 'start') worker.start();
  else if (message.kind === 'wake') worker.wake();
  else
    void worker.stop(message.graceMs).then(async () => {
      await store.close().catch(() => undefined);
      writesPort?.close();
      port.postMessage([...outbox.splice(0), { kind: 'stopped' }]);
      port.close();
    });
});
