import Fastify, { type FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { onTemplateWarning } from '@hookbridge/core';
import { destinationGuard } from './config/guard';
import type { RelayConfig } from './config/schema';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { createMetrics, type Metrics } from './metrics';
import { IntakeWriter } from './intake/writer';
import { openStore } from './storage/open';
import type { Store } from './storage/store';
import { DeliveryThread } from './delivery/thread';
import { intakeRoutes, type IntakeDeps } from './intake/routes';
import { intakeFastPath, intakeSource } from './intake/fast-path';
import { createServer } from 'node:http';
import { compileSource } from './intake/sources';
import { adminRoutes } from './admin/api';
import { DeliveryWorker } from './delivery/worker';
import { LiveFeed } from './live';
import { streamRoutes } from './admin/stream';
import { consoleRoutes } from './admin/console';

export interface RelayOptions {
  logger?: Logger;
  onStored?: IntakeDeps['onStored'];
  /** Where `log` destinations print; stdout by default. */
  print?: (line: string) => void;
}

/**
 * The relay composes core verification, the store (SQLite, or PostgreSQL shared by several
 * relays), routing and the formatters' senders: intake answers only after the commit; a
 * worker drains the queue.
 */
export class Relay {
  readonly app: FastifyInstance;
  readonly store: Store;
  /** This relay's name among the relays on one store. */
  readonly instance = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  readonly metrics: Metrics;
  /** Deliveries: on a thread of their own, or here for an in-memory database. */
  readonly worker: Pick<DeliveryWorker, 'start' | 'wake' | 'stop'>;
  readonly logger: Logger;
  /** Stored events and delivery outcomes as they happen (the console's stream). */
  readonly feed = new LiveFeed();
  private retention: NodeJS.Timeout | undefined;
  private closing = false;
  private listening = false;

  constructor(
    readonly config: RelayConfig,
    options: RelayOptions = {},
  ) {
    this.logger = options.logger ?? pino({ level: process.env.HOOKBRIDGE_LOG_LEVEL ?? 'info' });
    const logger = this.logger;
    onTemplateWarning((w) => logger.warn({ template: w.template, property: w.property }, w.message));
    const opened = openStore(config.storage, this.instance);
    this.store = opened.store;
    if (opened.recovered) this.logger.warn({ recovered: opened.recovered }, 'deliveries in flight at the last stop are queued again');
    this.metrics = createMetrics(() => this.store.queueDepth());
    const guard = destinationGuard(config);
    const print = options.print ?? ((line: string) => void process.stdout.write(line + '\n'));
    let remember: IntakeDeps['remember'];
    if (opened.inline) {
      // An in-memory database cannot be shared with other threads: deliveries run here.
      const worker = new DeliveryWorker(this.store, this.instance, config, this.metrics, this.logger, guard, print, this.feed);
      remember = (rowid, stored) => worker.recent.set(rowid, stored);
      this.worker = worker;
    } else {
      // Deliveries claim, send and record on a thread of their own, so outbound HTTP does not share a core with intake.
      this.worker = new DeliveryThread(
        config,
        guard,
        { instance: this.instance, port: opened.deliveryPort },
        {
          logger: this.logger,
          print,
          metrics: this.metrics,
          feed: this.feed,
        },
      );
    }
    // SQLite commits each batch at once and shares one fsync among the commits made while the last one ran. On
    // PostgreSQL every statement costs a round trip and a commit on the same cores: while one is under way, another goes
    // only with 8 events or more, three at most (measured against one at a time, two, four and other thresholds: relay README).
    const writer = new IntakeWriter(
      this.store,
      () => this.worker.wake(),
      this.store.engine === 'postgres' ? { maxInFlight: 3, minBatchWhileBusy: 8 } : {},
    );
    const sources = new Map(config.sources.map((s) => [s.id, compileSource(s)]));

    const intake: IntakeDeps = {
      sources,
      routes: config.routes,
      writer,
      metrics: this.metrics,
      logger: this.logger,
      remember,
      onStored: (info) => {
        // Only a console watching needs the entry built.
        if (this.feed.listenerCount('event') > 0) this.feed.emit('event', { ...info, receivedAt: Date.now() });
        options.onStored?.(info);
      },
    };
    const fastIntake = intakeFastPath(intake);
    this.app = Fastify({
      logger: false,
      forceCloseConnections: true,
      return503OnClosing: true,
      // Webhooks take the lean path on node:http; everything else (and intake while stopping: 503) goes to Fastify.
      serverFactory: (handler) =>
        createServer((request, response) => {
          const sourceId = this.closing ? undefined : intakeSource(request);
          if (sourceId === undefined) handler(request, response);
          else fastIntake(request, response, sourceId);
        }),
    });
    this.app.register(intakeRoutes, intake);
    this.app.register(adminRoutes, {
      store: this.store,
      token: config.server.adminToken,
      onReplay: () => this.worker.wake(),
      config,
      sources,
    });
    this.app.register(streamRoutes, {
      store: this.store,
      feed: this.feed,
      token: config.server.adminToken,
      onDrop: () => logger.warn('a console stream fell too far behind and was closed (it reconnects and reloads)'),
    });
    this.app.register(consoleRoutes);
    // Alive (200) whatever the store says; `storage` tells whether it answers; `instance` which relay answered (behind a load balancer). Ready: not stopping, and the store answers.
    this.app.get('/healthz', async () => ({ ok: true, instance: this.instance, storage: this.store.health() }));
    this.app.get('/readyz', async (_req, reply) => {
      const storage = this.store.health();
      const ready = !this.closing && storage.ok;
      return reply.code(ready ? 200 : 503).send({ ok: ready, storage });
    });
    this.app.get('/metrics', async (_req, reply) =>
      reply.header('content-type', this.metrics.registry.contentType).send(await this.metrics.registry.metrics()),
    );
  }

  /** Listens, starts the worker and the retention sweep; resolves with the base URL. */
  async start(port = this.config.server.port, host = this.config.server.host): Promise<string> {
    await this.store.open();
    // What other relays on the store commit: their events wake this relay's worker too, and both show in this console.
    this.store.subscribe((notice) => {
      if (notice.kind === 'event') {
        this.feed.emit('event', notice.event);
        this.worker.wake();
      } else this.feed.emit('delivery', notice.delivery);
    });
    const url = await this.app.listen({ port, host });
    this.listening = true;
    this.worker.start();
    const sweep = () =>
      void this.store.prune(Date.now() - this.config.retention.deliveredMaxAge).then(
        (pruned) => pruned && this.logger.info({ pruned }, 'retention: delivered events pruned'),
        (error: unknown) => this.logger.error({ err: error }, 'retention sweep failed'),
      );
    sweep();
    this.retention = setInterval(sweep, this.config.retention.interval);
    this.retention.unref();
    this.logger.info(
      { url, sources: this.config.sources.map((s) => s.id), routes: this.config.routes.map((r) => r.id) },
      'hookbridge relay listening',
    );
    return url;
  }

  /** Graceful stop: intake closes, attempts under way finish (or are released), the database closes. */
  async close(graceMs = 10_000): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (this.retention) clearInterval(this.retention);
    await this.app.close();
    await this.worker.stop(graceMs);
    await this.store.close();
    // A relay that never started (its store or port refused) says nothing more than the reason it gave.
    if (this.listening) this.logger.info('hookbridge relay stopped');
  }
}
