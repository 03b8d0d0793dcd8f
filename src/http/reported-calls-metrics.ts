// A Prometheus counter of the Belvo calls the team's app reports, by what failed (Belvo's error classes: institution,
// link, belvo, request, timeout; `ok` when the call worked), so a dashboard shows the error ratio of the team's own
// calls over time next to what the bot alerted on.
import { Counter, type Registry } from 'prom-client';
import { type BelvoCall, classifyCall } from '../detect/error-ratios.js';

export interface ReportedCallMetrics {
  ingested(calls: readonly BelvoCall[]): void;
}

export function createReportedCallMetrics(registry: Registry): ReportedCallMetrics {
  const calls = new Counter({
    name: 'belvo_status_reported_calls_total',
    help: "Belvo calls the team's app reported, by error kind (ok when the call worked).",
    labelNames: ['kind'],
    registers: [registry],
  });
  return {
    ingested(batch) {
      const byKind = new Map<string, number>();
      for (const call of batch) {
        const kind = classifyCall(call) ?? 'ok';
        byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
      }
      for (const [kind, n] of byKind) calls.inc({ kind }, n);
    },
  };
}
