// A small driver for table tests: feeds observations of one fingerprint through applySignal with a fake clock.
import type { Alert, AlertEvent } from '../../../src/domain/alert.js';
import type { Signal } from '../../../src/domain/signal.js';
import { DEFAULT_ENGINE_CONFIG, type EngineConfig } from '../../../src/engine/engine-config.js';
import { applySignal } from '../../../src/engine/lifecycle.js';

export const MIN = 60_000;

export function componentSignal(over: Partial<Signal> = {}): Signal {
  return {
    fingerprint: 'statuspage/inst/component/c1',
    kind: 'statuspage.component',
    source: 'inst',
    lifecycle: 'observed',
    observation: 'bad',
    severity: 'major',
    title: 'Banco X MX - Retail',
    status: 'partial_outage',
    ...over,
  };
}

export function incidentSignal(over: Partial<Signal> = {}): Signal {
  return {
    fingerprint: 'statuspage/api/incident/abc',
    kind: 'statuspage.incident',
    source: 'api',
    lifecycle: 'source',
    observation: 'bad',
    severity: 'major',
    title: 'Elevated errors',
    status: 'investigating',
    reportLateResolution: true,
    updates: [{ id: 'u1', at: 0, status: 'investigating', text: 'Looking', origin: 'source' }],
    ...over,
  };
}

export interface Step {
  at: number;
  signal: Signal;
  firstSight?: boolean;
  /** The source's previous successful read. */
  lastReadAt?: number;
}

export interface Run {
  events: AlertEvent[];
  alert: Alert | undefined;
  alerts: Alert[];
  reasons: string[];
}

export function drive(steps: Step[], config: EngineConfig = DEFAULT_ENGINE_CONFIG): Run {
  let seq = 0;
  let alert: Alert | undefined;
  const run: Run = { events: [], alert: undefined, alerts: [], reasons: [] };
  for (const step of steps) {
    const t = applySignal(alert, step.signal, {
      now: step.at,
      config,
      firstSight: step.firstSight ?? false,
      newId: () => `A${++seq}`,
      ...(step.lastReadAt !== undefined && { lastReadAt: step.lastReadAt }),
    });
    if (t.alert) {
      if (!run.alerts.some((a) => a.id === t.alert?.id)) run.alerts.push(t.alert);
      alert = t.alert;
    }
    if (t.event) run.events.push(t.event);
    run.reasons.push(t.reason);
  }
  run.alert = alert;
  return run;
}

/** `opened@1 updated@2` style summary of what delivery would see. */
export function summary(run: Run): string {
  return run.events.map((e) => `${e.type}${e.quiet ? '(quiet)' : ''}@${e.version}`).join(' ');
}

export function every(minutes: number[], signal: (i: number) => Signal): Step[] {
  return minutes.map((m, i) => ({ at: m * MIN, signal: signal(i) }));
}
