// Figure R: failover time, its rows and notes for the report table.
import type { FailoverOptions, FailoverResult } from './failover.js';
import { ms, summarize } from './stats.js';
import { type Row, verdict } from './table.js';

export const FAILOVER_BENCH: FailoverOptions = { kills: 10, leaseMs: 3000, pollMs: 1000 };

const seconds = (x: number) => (Number.isFinite(x) ? `${(x / 1000).toFixed(2)} s` : 'n/a');
const medMax = (xs: readonly number[], format = seconds) => {
  const s = summarize(xs);
  return `${format(s.median)} / ${format(s.max)}`;
};

/** Timers that fire late on a busy machine, and the follower's try itself (one statement). */
const SLACK_MS = 250;

/**
 * The longest takeover the design allows: the whole lease left, then a follower's full wait for its next try (a
 * third of the lease after its previous one ended), with a little slack.
 */
export const takeoverBound = (o: FailoverOptions) => o.leaseMs + Math.max(100, o.leaseMs / 3) + SLACK_MS;

export function failoverRows(f: FailoverResult): Row[] {
  const o = f.options;
  const lease = seconds(o.leaseMs);
  if (f.skipped)
    return [{ figure: `R. Failover, lease ${lease}`, measured: 'not measured', target: '', verdict: 'n/a' }];
  const took = f.takeovers.map((t) => t.ms);
  const bound = takeoverBound(o);
  const others = f.takeovers.map((t) => t.machine.others).filter((x): x is number => x !== undefined);
  return [
    {
      figure:
        `R. Failover, lease ${lease}: SIGKILL of the leader -> the survivor leads: median / max ` +
        `(n=${took.length} of ${o.kills}, missed ${f.missed})`,
      measured: took.length > 0 ? medMax(took) : 'none',
      target: `<= ${seconds(bound)} (lease + a third + ${SLACK_MS} ms)`,
      verdict: verdict(f.missed === 0 && took.length === o.kills && Math.max(...took) <= bound),
    },
    {
      figure: "   of which the dead leader's lease still to run / then the follower's next try: medians",
      measured:
        `${seconds(summarize(f.takeovers.map((t) => t.leaseLeftMs)).median)} / ` +
        `${seconds(summarize(f.takeovers.map((t) => t.ms - t.leaseLeftMs)).median)}`,
      target: `<= ${lease} / <= ${seconds(bound - o.leaseMs - SLACK_MS)}`,
      verdict: 'info',
    },
    {
      figure: '   the killed one restarted -> serving as a follower: median / max',
      measured: f.restarts.length > 0 ? medMax(f.restarts) : 'none',
      target: '',
      verdict: 'info',
    },
    {
      figure: '   restarted ones that came back leading (the survivor holds the lease)',
      measured: String(f.restartedLeading),
      target: '0',
      verdict: verdict(f.restartedLeading === 0),
    },
    {
      figure: '   other processes (the surviving bot included) during the takeovers: median / max cores',
      measured: others.length > 0 ? medMax(others, (x) => x.toFixed(2)) : 'not known (no /proc)',
      target: `of ${f.takeovers[0]?.machine.cores ?? '?'}`,
      verdict: 'info',
    },
  ];
}

export function failoverNotes(f: FailoverResult): string[] {
  const o = f.options;
  if (f.skipped) return [`R: failover not measured: ${f.skipped}.`];
  const list = (xs: readonly number[]) => xs.map((x) => Math.round(x)).join(', ');
  return [
    `R: two \`belvo-status run\` processes on one PostgreSQL schema (fresh, dropped after), storage.leaderLease ` +
      `${o.leaseMs} ms, one status page polled every ${o.pollMs} ms, console destination. ${o.kills} times: SIGKILL ` +
      "to the leader at a random moment of its renewal cycle, the time taken from the kill to the survivor's " +
      '"this replica leads" log record (its own timestamp, ms), then the killed one started again (it must come back ' +
      'as the follower). A replica tries for the lease every third of it, the holder renewing then: a takeover ' +
      `takes what is left of the dead leader's lease (${o.leaseMs - o.leaseMs / 3}-${o.leaseMs} ms) plus the ` +
      `follower's wait for its next try (0-${o.leaseMs / 3} ms). ${(f.wallMs / 1000).toFixed(0)} s in all.`,
    `R: takeovers in order (ms): ${list(f.takeovers.map((t) => t.ms))}; lease left at each kill: ` +
      `${list(f.takeovers.map((t) => t.leaseLeftMs))}; the record read here (pipe) after: ` +
      `${list(f.takeovers.map((t) => t.seenMs))}; restarts: ${list(f.restarts)}. Median takeover ` +
      `${ms(summarize(f.takeovers.map((t) => t.ms)).median)}.`,
  ];
}
