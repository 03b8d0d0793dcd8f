// `demo --slack-preview <dir>`: what the chat platforms and the pager received, as files a person can open: each
// Slack message in its final state as Block Kit JSON with a Block Kit Builder link (an index.html lists them), the
// Discord messages as sent to the channel webhook, and the PagerDuty events in order. Nothing is fetched: the links
// are for the reader's browser.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DemoWorld } from './world.js';

/** Slack's Block Kit Builder reads the message from the URL fragment. */
export function blockKitBuilderUrl(blocks: unknown[]): string {
  return `https://app.slack.com/block-kit-builder#${encodeURIComponent(JSON.stringify({ blocks }))}`;
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export async function writePreview(
  dir: string,
  world: DemoWorld,
  slackChannel: string,
): Promise<{ dir: string; files: number; index: string }> {
  const root = resolve(dir);
  mkdirSync(root, { recursive: true });
  let files = 0;
  const write = (name: string, data: unknown) => {
    writeFileSync(join(root, name), typeof data === 'string' ? data : `${JSON.stringify(data, null, 2)}\n`);
    files++;
  };
  const items: string[] = [];
  for (const message of world.slack.history(slackChannel)) {
    const id = String(message.metadata?.event_payload?.alert_id ?? message.ts);
    const attachments = (message.attachments ?? []) as { blocks?: unknown[]; color?: string }[];
    const blocks = attachments[0]?.blocks ?? message.blocks ?? [];
    const replies = world.slack.replies(slackChannel, message.ts).map((r) => r.text);
    write(`slack-${id}.json`, { text: message.text, attachments, thread: replies });
    items.push(
      `<li><a href="${escapeHtml(blockKitBuilderUrl(blocks))}">${escapeHtml(message.text)}</a> ` +
        `(<a href="slack-${escapeHtml(id)}.json">JSON</a>, ${replies.length} thread replies)</li>`,
    );
  }
  const discord = world.discord.calls
    .filter((c) => (c.status ?? 500) < 300 && (c.method === 'POST' || c.method === 'PATCH'))
    .map((c) => ({ method: c.method, route: c.route, body: c.body }));
  write('discord.json', discord);
  write(
    'pagerduty.json',
    world.pagerduty.events.map((e) => e.body),
  );
  write(
    'index.html',
    `<!doctype html><meta charset="utf-8"><title>belvo-status demo: what Slack received</title>
<h1>What Slack received</h1>
<p>Each message in its final state; the link opens it in Slack's Block Kit Builder.</p>
<ul>
${items.join('\n')}
</ul>
<p>Also here: <a href="discord.json">discord.json</a> (the channel webhook's messages and edits) and
<a href="pagerduty.json">pagerduty.json</a> (the Events API v2 bodies, in order).</p>
`,
  );
  return { dir: root, files, index: join(root, 'index.html') };
}
