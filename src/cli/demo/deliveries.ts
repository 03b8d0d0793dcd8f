// What the bot actually sent during the demo, read back from the simulated Slack, Discord and PagerDuty: one short
// line per Slack message, post or reply, a line for Discord and one per PagerDuty event. The demo prints these and
// nothing it made up, so its story stays true whatever the engine decides to send.
import type { FakeDiscord } from '../../../simulators/discord-api.js';
import type { FakePagerDuty } from '../../../simulators/pagerduty-api.js';
import type { FakeSlack, FakeSlackCall } from '../../../simulators/slack-api.js';

/** Slack mrkdwn as a terminal shows it: no emphasis marks, emoji codes or link brackets, entities decoded. */
export function plainMrkdwn(text: string): string {
  return text
    .replace(/(^|\s):[a-z][a-z0-9_+-]*:\s*/g, '$1')
    .replace(/<([^|>]+)\|([^>]+)>/g, '$2')
    .replace(/<([^>]+)>/g, '$1')
    .replace(/\*([^*\n]+)\*/g, '$1')
    .replace(/(^|\s)_([^_\n]+)_(?=\s|$)/g, '$1$2')
    .replace(/`/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .trim();
}

const WIDTH = 118;
/** One line, cut at the terminal's usual width (for what repeats: page summaries). */
export const clipLine = (text: string) => (text.length > WIDTH ? `${text.slice(0, WIDTH - 1)}…` : text);
/** Lines folded at the usual width, continuations indented, so nothing a person needs is cut off. */
export function wrap(text: string, indent = '          '): string[] {
  const lines: string[] = [];
  let rest = text;
  while (rest.length > WIDTH) {
    const cut = rest.lastIndexOf(' ', WIDTH);
    const at = cut > indent.length + 10 ? cut : WIDTH;
    lines.push(rest.slice(0, at));
    rest = `${indent}${rest.slice(at).trimStart()}`;
  }
  lines.push(rest);
  return lines;
}

interface SlackBlock {
  type: string;
  text?: { text?: string };
}

interface SlackBody {
  text?: string;
  thread_ts?: string;
  attachments?: { blocks?: { type: string; text?: { text?: string } }[] }[];
  metadata?: { event_payload?: { alert_id?: string } };
}

function alertIdOf(call: FakeSlackCall): string {
  return (call.body as SlackBody).metadata?.event_payload?.alert_id ?? '?';
}

/** The parent's first block: `*title*\nstate line`. */
function headline(call: FakeSlackCall): { title: string; state: string } {
  const body = call.body as SlackBody;
  const first = body.attachments?.[0]?.blocks?.[0]?.text?.text ?? body.text ?? '';
  const [title = '', ...rest] = first.split('\n');
  return { title: plainMrkdwn(title), state: plainMrkdwn(rest.join(' ')) };
}

export interface DeliveryTotals {
  slackMessages: number;
  slackEdits: number;
  slackReplies: number;
  discordMessages: number;
  discordEdits: number;
  pages: Record<string, number>;
}

export class DeliveryLog {
  private slackSeen = 0;
  private discordSeen = 0;
  private pagerSeen = 0;
  /** Alert ids whose Slack message was shown, in order: the only ids the demo may speak of. */
  readonly shownIds: string[] = [];

  constructor(
    private readonly slack: FakeSlack,
    private readonly discord: FakeDiscord,
    private readonly pagerduty: FakePagerDuty,
    private readonly channel: string,
  ) {}

  /** Lines for everything delivered since the last call, in the order it arrived. */
  since(): string[] {
    const lines: string[] = [];
    const slackCalls = this.slack.calls.slice(this.slackSeen).filter((c) => c.ok);
    this.slackSeen = this.slack.calls.length;
    // An update is an edit of the message and a reply in its thread: the reply says what changed, once.
    const replied = new Set(
      slackCalls.filter((c) => c.method === 'chat.postMessage' && c.threadTs).map((c) => alertIdOf(c)),
    );
    for (const call of slackCalls) {
      const id = alertIdOf(call);
      if (call.method === 'chat.postMessage' && !call.threadTs) {
        if (!this.shownIds.includes(id)) this.shownIds.push(id);
        const { title, state } = headline(call);
        lines.push(...wrap(`   Slack ${this.channel}  new message [${id}] ${title}`));
        if (state) lines.push(...wrap(`        ${state}`));
      } else if (call.method === 'chat.postMessage') {
        const [first = '', ...quoted] = String((call.body as SlackBody).text ?? '').split('\n');
        lines.push(...wrap(`   Slack ${this.channel}  thread [${id}] ${plainMrkdwn(first)}`));
        const quote = quoted.find((q) => q.startsWith('>'));
        if (quote) lines.push(...wrap(`        ${plainMrkdwn(quote.replace(/^>\s*/, ''))}`));
      } else if (call.method === 'chat.update' && !replied.has(id)) {
        const { state } = headline(call);
        lines.push(...wrap(`   Slack ${this.channel}  message [${id}] edited in place: ${state}`));
      }
    }
    const discordCalls = this.discord.calls.slice(this.discordSeen).filter((c) => (c.status ?? 500) < 300);
    this.discordSeen = this.discord.calls.length;
    const posted = discordCalls.filter((c) => c.method === 'POST').map((c) => footerId(c.body));
    const edited = discordCalls.filter((c) => c.method === 'PATCH').map((c) => footerId(c.body));
    if (posted.length + edited.length > 0) {
      const parts = [
        ...(posted.length ? [`new message ${unique(posted).join(', ')}`] : []),
        ...(edited.length ? [`edited ${unique(edited).join(', ')}`] : []),
      ];
      lines.push(clipLine(`   Discord #alerts  ${parts.join('; ')}`));
    }
    const events = this.pagerduty.events.slice(this.pagerSeen).filter((e) => (e.status ?? 500) < 300);
    this.pagerSeen = this.pagerduty.events.length;
    for (const e of events) {
      const action = String(e.body?.event_action ?? '?');
      const own = (e.body?.payload as { summary?: string } | undefined)?.summary;
      lines.push(clipLine(`   PagerDuty  ${action} "${own ?? this.summaryOf(String(e.body?.dedup_key ?? ''))}"`));
    }
    return lines;
  }

  /**
   * The alert's Slack message as the channel shows it now: its headline, its state and the sources it lists (an
   * institution incident's evidence, a storm's members), as a person scrolling back would read it.
   */
  current(alertId: string): string[] {
    const message = this.slack.history(this.channelId()).find((m) => m.metadata?.event_payload?.alert_id === alertId);
    if (!message) return [];
    const blocks = ((message.attachments?.[0] as { blocks?: SlackBlock[] } | undefined)?.blocks ?? []).filter(
      (b) => b.type === 'section' && typeof b.text?.text === 'string',
    );
    const [head = '', ...state] = (blocks[0]?.text?.text ?? '').split('\n');
    const lines = wrap(`   Slack ${this.channel}  message [${alertId}] now reads: ${plainMrkdwn(head)}`);
    for (const s of state) lines.push(...wrap(`        ${plainMrkdwn(s)}`));
    // The list of what it is made of: one line per source or member, each ending with that alert's id.
    const list = blocks.slice(1).find((b) => (b.text?.text ?? '').split('\n').every((l) => / · A\d+$/.test(l)));
    for (const l of (list?.text?.text ?? '').split('\n').filter(Boolean))
      lines.push(...wrap(`        ${plainMrkdwn(l)}`));
    return lines;
  }

  private channelId(): string {
    return this.slack.calls.find((c) => c.method === 'chat.postMessage' && c.ok)?.channel ?? '';
  }

  /** A page's summary, from the trigger that opened it (acknowledge and resolve carry only the dedup key). */
  private summaryOf(dedupKey: string): string {
    const trigger = this.pagerduty.events.find(
      (e) => e.body?.event_action === 'trigger' && e.body?.dedup_key === dedupKey,
    );
    return String((trigger?.body?.payload as { summary?: string } | undefined)?.summary ?? dedupKey);
  }

  totals(): DeliveryTotals {
    const ok = this.slack.calls.filter((c) => c.ok);
    const pages: Record<string, number> = {};
    for (const e of this.pagerduty.events.filter((x) => (x.status ?? 500) < 300)) {
      const action = String(e.body?.event_action ?? '?');
      pages[action] = (pages[action] ?? 0) + 1;
    }
    const discordOk = this.discord.calls.filter((c) => (c.status ?? 500) < 300);
    return {
      slackMessages: ok.filter((c) => c.method === 'chat.postMessage' && !c.threadTs).length,
      slackEdits: ok.filter((c) => c.method === 'chat.update').length,
      slackReplies: ok.filter((c) => c.method === 'chat.postMessage' && c.threadTs).length,
      discordMessages: discordOk.filter((c) => c.method === 'POST').length,
      discordEdits: discordOk.filter((c) => c.method === 'PATCH').length,
      pages,
    };
  }
}

function footerId(body: unknown): string {
  const footer = (body as { embeds?: { footer?: { text?: string } }[] } | undefined)?.embeds?.[0]?.footer?.text;
  return `[${/^Alert (\S+)/.exec(footer ?? '')?.[1] ?? '?'}]`;
}

const unique = (xs: string[]) => [...new Set(xs)];
