import { Worker, type MessagePort } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { DestinationGuard } from '@hookbridge/core';
import type { RelayConfig } from '../config/schema';
import type { LiveFeed } from '../live';
import type { Metrics } from '../metrics';
import { threadScript } from '../thread-script';
import type { DeliveryThreadData, FromDeliveryThread, ToDeliveryThread } from './thread-messages';

const LEVELS: Record<number, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/**
 * The delivery worker on a thread of its own, seen from the main thread: `wake` on new
 * commits, `stop` on shutdown. What it reports lands in the relay's logger, print, metrics
 * and live feed as if the worker ran here.
 */
export class DeliveryThread {
  private readonly worker: Worker;
  private readonly stopped: Promise<void>;
  private wakePending = false;

  constructor(
    config: RelayConfig,
    guard: DestinationGuard,
    link: { instance: string; port?: MessagePort },
    private readonly deps: { logger: Logger; print: (line: string) => void; metrics: Metrics; feed: LiveFeed },
  ) {
    this.worker = new Worker(threadScript('delivery/delivery-thread.js'), {
      workerData: {
        config,
        guard,
        logLevel: deps.logger.level,
        instance: link.instance,
        writesPort: link.port,
      } satisfies DeliveryThreadData,
      transferList: link.port ? [link.port] : [],
    });
    this.stopped = new Promise((done) => {
      this.worker.on('message', (batch: FromDeliveryThread[]) => {
        for (const message of batch) {
          if (message.kind === 'stopped') done();
          else this.report(message);
        }
      });
      this.worker.once('error', (error) => {
        deps.logger.error({ err: error }, 'the delivery thread failed');
        done();
      });
      this.worker.once('exit', () => done());
    });
  }

  private report(message: Exclude<FromDeliveryThread, { kind: 'stopped' }>): void {
    const { deps } = this;
    switch (message.kind) {
      case 'log': {
        const { level, msg, time: _t, pid: _p, hostname: _h, ...fields } = JSON.parse(message.line) as Record<string, unknown>;
        deps.logger[LEVELS[level as number] ?? 'info'](fields, msg as string);
        break;
      }
      case 'print':
        deps.print(message.line);
        break;
      case 'metric':
        deps.metrics[message.name].inc({ route: message.route });
        break;
      case 'latency':
        deps.metrics.latency.observe({ route: message.route }, message.seconds);
        break;
      case 'feed':
        deps.feed.emit('delivery', message.delivery);
        break;
    }
  }

  private post(message: ToDeliveryThread): void {
    this.worker.postMessage(message);
  }

  start(): void {
    this.post({ kind: 'start' });
  }

  /** New work was committed. Wakes coalesce: one message per turn at most. */
  wake(): void {
    if (this.wakePending) return;
    this.wakePending = true;
    setImmediate(() => {
      this.wakePending = false;
      this.post({ kind: 'wake' });
    });
  }

  /** The thread stops claiming, lets attempts finish (up to `graceMs`), releases the rest and exits. */
  async stop(graceMs: number): Promise<void> {
    this.post({ kind: 'stop', graceMs });
    await this.stopped;
    await this.worker.terminate();
  }
}
