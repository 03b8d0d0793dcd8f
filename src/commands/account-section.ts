// The team's own Belvo account in `status` and `institution <q>`: its links by status, how fresh its webhooks are,
// and how its own calls fare (what no status page can tell).
import { durationText } from '../domain/alert.js';
import type { CommandContext } from './handlers.js';
import type { ReplySection } from './reply.js';

const CALL_WINDOW_MS = 15 * 60_000;
const STATUS_ORDER = ['valid', 'token_required', 'invalid', 'unconfirmed'];

/** `1,240 links · 57 token_required · 3 invalid`: an environment's links, the ones needing attention named. */
export function byStatus(counts: { status: string; count: number }[]): string {
  const totals = new Map<string, number>();
  for (const c of counts) totals.set(c.status, (totals.get(c.status) ?? 0) + c.count);
  const total = [...totals.values()].reduce((a, b) => a + b, 0);
  const rank = (status: string) => (STATUS_ORDER.includes(status) ? STATUS_ORDER.indexOf(status) : STATUS_ORDER.length);
  const parts = [...totals]
    .filter(([status]) => status !== 'valid')
    .sort((a, b) => rank(a[0]) - rank(b[0]))
    .map(([status, n]) => `${n} ${status}`);
  return [`${total} link${total === 1 ? '' : 's'}`, ...parts].join(' · ');
}

/** `institution`: one institution's Belvo name, or undefined for the whole account. */
export async function accountSection(ctx: CommandContext, institution?: string): Promise<ReplySection | undefined> {
  const belvo = ctx.belvo;
  if (!belvo) return undefined;
  const lines: string[] = [];
  for (const env of belvo.environments) {
    const counts = (await belvo.linkCounts(env.id)).filter((c) => !institution || c.institution === institution);
    const last = institution ? undefined : await belvo.lastWebhookAt(env.id);
    const webhook = institution
      ? ''
      : last === undefined
        ? ' · no webhook yet'
        : ` · last webhook ${durationText(ctx.now - last)} ago`;
    lines.push(`${env.id}: ${counts.length ? byStatus(counts) : 'no links known'}${webhook}`);
  }
  if (belvo.calls) {
    const s = belvo.calls.summary(ctx.now, CALL_WINDOW_MS, institution);
    lines.push(
      s.calls === 0
        ? 'Your calls, last 15 min: none reported'
        : `Your calls, last 15 min: ${s.calls}, ${((s.failures / s.calls) * 100).toFixed(1)}% failed`,
    );
  }
  return { heading: institution ? 'Your links and calls there' : 'Your Belvo account', lines };
}
