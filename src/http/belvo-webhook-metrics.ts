// Prometheus counters for the Belvo webhook receiver, registered on the bot's registry (createMetrics().registry).
import { Counter, Histogram, type Registry } from 'prom-client';

/** What became of one request to POST /webhooks/belvo/:environment. */
export type BelvoWebhookRequestOutcome =
  | 'stored'
  | 'duplicate'
  | 'unauthorized'
  | 'forbidden'
  | 'malformed'
  | 'too_large'
  | 'unavailable';

export interface BelvoWebhookMetrics {
  request(environment: string, outcome: BelvoWebhookRequestOutcome): void;
  batchCommitted(size: number, seconds: number, linkTransitions: number): void;
}

export function createBelvoWebhookMetrics(registry: Registry): BelvoWebhookMetrics {
  const requests = new Counter({
    name: 'belvo_status_belvo_webhooks_total',
    help: 'Requests to the Belvo webhook receiver, by environment and outcome (stored, duplicate, refused...).',
    labelNames: ['environment', 'outcome'],
    registers: [registry],
  });
  const batches = new Histogram({
    name: 'belvo_status_belvo_webhook_commit_seconds',
    help: 'Time to commit one group of webhooks (one SQLite transaction).',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
    registers: [registry],
  });
  const batchSizes = new Histogram({
    name: 'belvo_status_belvo_webhook_batch_size',
    help: 'Webhooks committed together (group commit).',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
    registers: [registry],
  });
  const transitions = new Counter({
    name: 'belvo_status_belvo_link_transitions_total',
    help: 'Links that entered token_required or invalid, as told by LINK webhooks.',
    registers: [registry],
  });
  return {
    request(environment, outcome) {
      requests.inc({ environment, outcome });
    },
    batchCommitted(size, seconds, linkTransitions) {
      batches.observe(seconds);
      batchSizes.observe(size);
      if (linkTransitions > 0) transitions.inc(linkTransitions);
    },
  };
}
