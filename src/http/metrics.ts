// Prometheus metrics (prom-client) on a registry of our own, so tests and several bots in one process never clash.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { SEVERITIES } from '../domain/severity.js';
import type { Metrics } from '../ports/metrics.js';
import type { Store } from '../ports/store.js';

export interface PromMetrics extends Metrics {
  registry: Registry;
}

export function createMetrics(store: Store, opts: { defaultMetrics?: boolean } = {}): PromMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'belvo_status_' });

  const polls = new Counter({
    name: 'belvo_status_polls_total',
    help: 'Polls of a source, by outcome (ok, unchanged, failed).',
    labelNames: ['source', 'outcome'],
    registers: [registry],
  });
  const pollFailures = new Counter({
    name: 'belvo_status_poll_failures_total',
    help: 'Failed polls of a source, by error code.',
    labelNames: ['source', 'code'],
    registers: [registry],
  });
  const pollDuration = new Histogram({
    name: 'belvo_status_poll_duration_seconds',
    help: 'Time to read, evaluate and commit one poll.',
    labelNames: ['source'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const deliveries = new Counter({
    name: 'belvo_status_deliveries_total',
    help: 'Delivery attempts, by destination and outcome (delivered, retry, failed).',
    labelNames: ['destination', 'outcome'],
    registers: [registry],
  });
  const events = new Counter({
    name: 'belvo_status_alert_events_total',
    help: 'Alert events emitted by the engine, by type.',
    labelNames: ['type'],
    registers: [registry],
  });
  new Gauge({
    name: 'belvo_status_alerts_open',
    help: 'Alerts firing now, by severity.',
    labelNames: ['severity'],
    registers: [registry],
    async collect() {
      const open = await store.listAlerts({ states: ['firing'] });
      for (const s of SEVERITIES) this.set({ severity: s }, open.filter((a) => a.severity === s).length);
    },
  });
  new Gauge({
    name: 'belvo_status_outbox_depth',
    help: 'Deliveries waiting or in flight.',
    registers: [registry],
    async collect() {
      this.set(await store.outboxDepth());
    },
  });

  return {
    registry,
    pollFinished(source, outcome, seconds, errorCode) {
      polls.inc({ source, outcome });
      pollDuration.observe({ source }, seconds);
      if (outcome === 'failed') pollFailures.inc({ source, code: errorCode ?? 'unknown' });
    },
    delivery(destination, outcome) {
      deliveries.inc({ destination, outcome });
    },
    eventsEmitted(type, count) {
      events.inc({ type }, count);
    },
  };
}
