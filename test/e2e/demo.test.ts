// `belvo-status demo` as a new user runs it, offline (the network guard is on): the whole story, told with what the
// bot really sent. Run compressed (--fast) so the test takes seconds, not a minute. The checks are on the printed
// story: every act is there, every alert id it mentions was shown first as a message, the storm is one message, the
// counts at the end are the lines above, and --slack-preview wrote what Slack, Discord and PagerDuty received.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './bot-process.js';

describe('belvo-status demo', () => {
  const dir = mkdtempSync(join(tmpdir(), 'belvo-status-demo-test-'));
  const preview = join(dir, 'preview');
  let res: { code: number | null; stdout: string; stderr: string };
  let lines: string[];
  /** The lines of one act, from its heading ("2. ...") to the next. */
  const act = (n: number) => {
    const start = lines.findIndex((l) => l.startsWith(`${n}. `));
    const end = lines.findIndex((l, i) => i > start && /^\d\. /.test(l));
    return lines.slice(start, end === -1 ? undefined : end);
  };
  const count = (ls: string[], re: RegExp) => ls.filter((l) => re.test(l)).length;

  beforeAll(async () => {
    res = await runCli(['demo', '--fast', '--slack-preview', preview]);
    lines = res.stdout.split('\n');
  }, 90_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('tells the whole story, offline, with no raw log line and nothing on standard error', () => {
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
    expect(lines.filter((l) => /^\s*[{[]"/.test(l))).toEqual([]);
    expect(lines.filter((l) => /^\d\. /.test(l)).map((l) => l.slice(0, 2))).toEqual([
      '1.',
      '2.',
      '3.',
      '4.',
      '5.',
      '6.',
    ]);
  });

  it('every alert id the story mentions was shown before it', () => {
    const narration = (l: string) => /^\d\d:\d\d /.test(l) || l.startsWith('      the bot answers');
    let mentioned = 0;
    lines.forEach((line, i) => {
      if (!narration(line)) return;
      for (const [id] of line.matchAll(/\bA\d+\b/g)) {
        mentioned++;
        const before = lines.slice(0, i).some((l) => !narration(l) && l.includes(`[${id}]`));
        expect({ id, line, shownBefore: before }).toEqual({ id, line, shownBefore: true });
      }
    });
    expect(mentioned).toBeGreaterThanOrEqual(2); // the ack and the silence name their alert
  });

  it("Belvo's API incident: a message in Slack and Discord, a page", () => {
    const one = act(1);
    expect(one.some((l) => /new message \[A\d+\] Belvo API: Elevated error rates on link creation/.test(l))).toBe(true);
    expect(count(one, /^ {3}Discord #alerts {2}new message/)).toBe(1);
    expect(count(one, /^ {3}PagerDuty {2}trigger .*Elevated error rates on link creation/)).toBe(1);
  });

  it("a bank degrades in the team's own data first, then Belvo's page confirms: lead time, links, request_ids", () => {
    const two = act(2);
    const firstMessage = two.findIndex((l) => /new message \[A\d+\] Banco Erebor/.test(l));
    const pageSaysSo = two.findIndex((l) => /Belvo's status page shows Banco Erebor/.test(l));
    expect(firstMessage).toBeGreaterThan(-1);
    expect(firstMessage).toBeLessThan(pageSaysSo);
    // One message for the bank: the status page and the app's errors joined it rather than posting their own.
    expect(count(two, /^ {3}Slack #\S+ {2}new message/)).toBe(1);
    expect(two.join(' ').replace(/\s+/g, ' ')).toMatch(/app log: .*request_id=[0-9a-f]{32}/);
    expect(two.slice(pageSaysSo).join('\n')).toMatch(/after the bot\s+noticed/);
    expect(two.slice(pageSaysSo).join('\n')).toMatch(/1240 of the team.s links/);
  });

  it('an ack acknowledges the page; a silence holds back what changes, until it ends', () => {
    const three = act(3);
    const acked = /ack (A\d+)/.exec(three.join('\n'))?.[1];
    expect(acked).toBeDefined();
    expect(count(three, /^ {3}PagerDuty {2}acknowledge /)).toBe(1);
    const five = act(5);
    const backWhileSilenced = five.findIndex((l) => /come back while the storm is silenced/.test(l));
    expect(five[backWhileSilenced + 1]).toBe('   (nothing sent)');
  });

  it('the storm is one message with its count, its institutions listed once', () => {
    const four = act(4);
    expect(count(four, /^ {3}Slack #\S+ {2}new message/)).toBe(1);
    // The narration's line, with the lines it wraps onto.
    const at = four.findIndex((l) => /^\d\d:\d\d Down: /.test(l));
    const end = four.findIndex((l, i) => i > at && !/^ {6}\S/.test(l));
    const said = four.slice(at, end).join(' ').replace(/\s+/g, ' ');
    const named = /Down: (.*)\.$/.exec(said)?.[1]?.split(', ') ?? [];
    expect(named).toHaveLength(8);
    expect(count(four, /new message \[A\d+\] 8 institutions/)).toBe(1);
    // The whole storm is listed once in the story (the narration's line), not in list after list: no other passage
    // (a line with the lines it wraps onto) names most of its institutions.
    const passages: string[] = [];
    for (const line of lines) {
      if (/^ {9,}\S/.test(line) && passages.length > 0) passages[passages.length - 1] += ` ${line.trim()}`;
      else passages.push(line);
    }
    const listing = passages.filter((p) => named.filter((n) => p.includes(n)).length > named.length / 2 + 1);
    expect(listing).toHaveLength(1);
  });

  it('everything recovers, and the closing counts are the lines above', () => {
    expect(res.stdout).toContain('Alerts still open: 0.');
    const from = lines.findIndex((l) => l.startsWith('In all:'));
    const totals = lines.slice(from, from + 2).join(' ');
    const n = (re: RegExp) => Number(re.exec(totals)?.[1]);
    expect(n(/Slack got (\d+) messages/)).toBe(count(lines, /^ {3}Slack #\S+ {2}new message/));
    expect(n(/and (\d+) thread replies/)).toBe(count(lines, /^ {3}Slack #\S+ {2}thread /));
    expect(n(/(\d+) trigger/)).toBe(count(lines, /^ {3}PagerDuty {2}trigger /));
    expect(n(/(\d+) acknowledge/)).toBe(count(lines, /^ {3}PagerDuty {2}acknowledge /));
    expect(n(/(\d+) resolve/)).toBe(count(lines, /^ {3}PagerDuty {2}resolve /));
    // Every message that opened got its resolution in its thread.
    const opened = new Set(lines.flatMap((l) => /new message \[(A\d+)\]/.exec(l)?.[1] ?? []));
    const resolved = new Set(lines.flatMap((l) => /thread \[(A\d+)\] Resolved/.exec(l)?.[1] ?? []));
    expect(resolved).toEqual(opened);
  });

  it('--slack-preview writes each Slack message as Block Kit with a Builder link, and what Discord and PagerDuty got', () => {
    const opened = [...new Set(lines.flatMap((l) => /new message \[(A\d+)\]/.exec(l)?.[1] ?? []))];
    for (const id of opened) {
      const message = JSON.parse(readFileSync(join(preview, `slack-${id}.json`), 'utf8')) as {
        attachments: { blocks: unknown[] }[];
      };
      expect(message.attachments[0]?.blocks.length).toBeGreaterThan(0);
    }
    const index = readFileSync(join(preview, 'index.html'), 'utf8');
    expect(index.match(/href="https:\/\/app\.slack\.com\/block-kit-builder#%7B%22blocks%22/g)).toHaveLength(
      opened.length,
    );
    const pages = JSON.parse(readFileSync(join(preview, 'pagerduty.json'), 'utf8')) as { event_action: string }[];
    expect(new Set(pages.map((p) => p.event_action))).toEqual(new Set(['trigger', 'acknowledge', 'resolve']));
    expect(existsSync(join(preview, 'discord.json'))).toBe(true);
    expect(res.stdout).toContain(`open ${join(preview, 'index.html')}`);
  });
});
