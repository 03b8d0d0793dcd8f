// Figure 7's rows and notes: push to chat, against its targets (1 s p50, of which 100 ms the bot's own).
import type { PushLatencyResult } from './push-latency.js';
import { ms } from './stats.js';
import { type Row, verdict } from './table.js';

const TARGET_MS = 1000;
const OWN_TARGET_MS = 100;

export function pushRows(r: PushLatencyResult): Row[] {
  const { spike, statuspage } = r;
  return [
    {
      figure: `7. Spike webhook -> Slack post: p50 / p99 (n=${spike.samples.length}, missed ${spike.missed})`,
      measured: `${ms(spike.p50)} / ${ms(spike.p99)}`,
      target: `p50 < ${TARGET_MS} ms`,
      verdict: verdict(spike.missed === 0 && spike.p50 < TARGET_MS),
    },
    {
      figure: '   same, all of it the bot (webhook, store, detect, deliver): p50',
      measured: ms(spike.p50),
      target: `< ${OWN_TARGET_MS} ms`,
      verdict: verdict(spike.missed === 0 && spike.p50 < OWN_TARGET_MS),
    },
    {
      figure: `   Statuspage push -> Slack post: p50 / p99 (n=${statuspage.samples.length}, missed ${statuspage.missed})`,
      measured: `${ms(statuspage.p50)} / ${ms(statuspage.p99)}`,
      target: `p50 < ${TARGET_MS} ms`,
      verdict: verdict(statuspage.missed === 0 && statuspage.p50 < TARGET_MS),
    },
    {
      figure: "   same, the bot's own (less the page serving the poll): p50 / p99",
      measured: `${ms(statuspage.ownP50 ?? Number.NaN)} / ${ms(statuspage.ownP99 ?? Number.NaN)}`,
      target: `p50 < ${OWN_TARGET_MS} ms`,
      verdict: verdict(statuspage.missed === 0 && (statuspage.ownP50 ?? Number.POSITIVE_INFINITY) < OWN_TARGET_MS),
    },
  ];
}

export function pushNotes(r: PushLatencyResult): string[] {
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b).map((x) => Math.round(x));
  return [
    `7: bot as \`node dist/src/cli.js run\`, fake Belvo, simulated page and fake Slack in the bench process (one ` +
      `clock); ${r.trials} trials each, ${Math.round(r.wallMs / 1000)} s in all. Spike: 9 token_required webhooks ` +
      'for an institution (under belvo.spikes.minCount), a pause, then the 10th, timed from its send to the ' +
      "institution's chat.postMessage arriving (each institution its own channel); belvo spikeCheckInterval left at " +
      `its default (1 minute). Spike samples, sorted (ms): ${sorted(r.spike.samples).join(', ')}. Statuspage: a new ` +
      "incident on the page, then the push, timed to the post (trials a second apart for Slack's pace). Trials " +
      'follow one another without a random pause: a detector that only runs on its schedule is caught just after a ' +
      'check, near its worst case.',
  ];
}
