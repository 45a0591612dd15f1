import Fastify, { type FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { onTemplateWarning } from '@hookbridge/core';
import { destinationGuard } from './config/guard';
import type { RelayConfig } from './config/schema';
import { Storage } from './storage/db';
import { createMetrics, type Metrics } from './metrics';
import { IntakeWriter } from './intake/writer';
import { inlineWrites, ThreadWrites, type Writes } from './storage/writes';
import { DeliveryThread } from './delivery/thread';
import { MessageChannel } from 'node:worker_threads';
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
 * The relay composes core verification, SQLite storage, routing and the formatters'
 * senders: intake answers only after the commit; a worker drains the queue.
 */
export class Relay {
  readonly app: FastifyInstance;
  readonly storage: Storage;
  readonly metrics: Metrics;
  /** Deliveries: on a thread of their own, or here for an in-memory database. */
  readonly worker: Pick<DeliveryWorker, 'start' | 'wake' | 'stop'>;
  readonly logger: Logger;
  /** Stored events and delivery outcomes as they happen (the console's stream). */
  readonly feed = new LiveFeed();
  private readonly writes: Writes;
  private retention: NodeJS.Timeout | undefined;
  private closing = false;

  constructor(
    readonly config: RelayConfig,
    options: RelayOptions = {},
  ) {
    this.logger = options.logger ?? pino({ level: process.env.HOOKBRIDGE_LOG_LEVEL ?? 'info' });
    const logger = this.logger;
    onTemplateWarning((w) => logger.warn({ template: w.template, property: w.property }, w.message));
    this.storage = new Storage(config.storage.path, { synchronous: config.storage.synchronous });
    const recovered = this.storage.recoverInFlight();
    if (recovered) this.logger.warn({ recovered }, 'deliveries in flight at the last stop are queued again');
    this.metrics = createMetrics(() => this.storage.queueDepth());
    const guard = destinationGuard(config);
    const print = options.print ?? ((line: string) => void process.stdout.write(line + '\n'));
    let remember: IntakeDeps['remember'];
    const { path, synchronous } = config.storage;
    if (path === ':memory:') {
      // An in-memory database cannot be shared with other threads: everything runs here.
      this.writes = inlineWrites(this.storage);
      const worker = new DeliveryWorker(this.storage, this.writes, config, this.metrics, this.logger, guard, print, this.feed);
      remember = (rowid, stored) => worker.recent.set(rowid, stored);
      this.worker = worker;
    } else {
      // Three threads: this one serves HTTP (intake, admin, console); a write thread does every
      // SQLite write and its fsync; a delivery thread claims, sends and records deliveries.
      const { port1, port2 } = new MessageChannel();
      this.writes = new ThreadWrites(path, synchronous, port1);
      this.worker = new DeliveryThread(config, guard, port2, { logger: this.logger, print, metrics: this.metrics, feed: this.feed });
    }
    const writer = new IntakeWriter(this.writes, () => this.worker.wake());
    const sources = new Map(config.sources.map((s) => [s.id, compileSource(s)]));

    const intake: IntakeDeps = {
      sources,
      routes: config.routes,
      writer,
      metrics: this.metrics,
      logger: this.logger,
      remember,
      onStored: (info) => {
        this.feed.emit('event', { ...info, receivedAt: Date.now() });
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
      storage: this.storage,
      writes: this.writes,
      token: config.server.adminToken,
      onReplay: () => this.worker.wake(),
      config,
      sources,
    });
    this.app.register(streamRoutes, {
      storage: this.storage,
      feed: this.feed,
      token: config.server.adminToken,
      onDrop: () => logger.warn('a console stream fell too far behind and was closed (it reconnects and reloads)'),
    });
    this.app.register(consoleRoutes);
    this.app.get('/healthz', async () => ({ ok: true }));
    this.app.get('/readyz', async (_req, reply) => {
      const ready = !this.closing && this.storage.db.open;
      return reply.code(ready ? 200 : 503).send({ ok: ready });
    });
    this.app.get('/metrics', async (_req, reply) =>
      reply.header('content-type', this.metrics.registry.contentType).send(await this.metrics.registry.metrics()),
    );
  }

  /** Listens, starts the worker and the retention sweep; resolves with the base URL. */
  async start(port = this.config.server.port, host = this.config.server.host): Promise<string> {
    const url = await this.app.listen({ port, host });
    this.worker.start();
    const sweep = () =>
      void this.writes.call('prune', Date.now() - this.config.retention.deliveredMaxAge).then(
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
    await this.writes.close();
    this.storage.close();
    this.logger.info('hookbridge relay stopped');
  }
}
