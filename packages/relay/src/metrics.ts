import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The relay's Prometheus metrics, on a registry of its own (several relays can share a process in tests). */
export function createMetrics(queueDepth: () => Promise<{ pending: number; inFlight: number; failed: number }>) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'hookbridge_' });
  const metrics = {
    registry,
    received: new Counter({
      name: 'hookbridge_received_total',
      help: 'Verified events accepted',
      labelNames: ['source'],
      registers: [registry],
    }),
    rejected: new Counter({
      name: 'hookbridge_rejected_total',
      help: 'Requests refused, by reason',
      labelNames: ['source', 'reason'],
      registers: [registry],
    }),
    deduplicated: new Counter({
      name: 'hookbridge_deduplicated_total',
      help: 'Duplicate deliveries of an event already stored',
      labelNames: ['source'],
      registers: [registry],
    }),
    delivered: new Counter({
      name: 'hookbridge_delivered_total',
      help: 'Deliveries that succeeded',
      labelNames: ['route'],
      registers: [registry],
    }),
    failed: new Counter({
      name: 'hookbridge_failed_total',
      help: 'Deliveries that failed for good: their last attempt failed, or the failure was final',
      labelNames: ['route'],
      registers: [registry],
    }),
    retries: new Counter({
      name: 'hookbridge_retries_total',
      help: 'Attempts that failed and were scheduled again',
      labelNames: ['route'],
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'hookbridge_delivery_latency_seconds',
      help: 'From receipt to successful delivery',
      labelNames: ['route'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [registry],
    }),
  };
  new Gauge({
    name: 'hookbridge_queue_depth',
    help: 'Deliveries by state',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const depth = await queueDepth();
      this.set({ state: 'pending' }, depth.pending);
      this.set({ state: 'in_flight' }, depth.inFlight);
      this.set({ state: 'failed' }, depth.failed);
    },
  });
  return metrics;
}

export type Metrics = ReturnType<typeof createMetrics>;
