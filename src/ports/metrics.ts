/** What the core reports; the HTTP layer exposes it as Prometheus metrics. */
export interface Metrics {
  pollFinished(source: string, outcome: 'ok' | 'unchanged' | 'failed', seconds: number, errorCode?: string): void;
  delivery(destination: string, outcome: 'delivered' | 'retry' | 'failed'): void;
  eventsEmitted(type: string, count: number): void;
}

export const noMetrics: Metrics = {
  pollFinished() {},
  delivery() {},
  eventsEmitted() {},
};
