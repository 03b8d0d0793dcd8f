// The answer to a `/belvo-status` command, independent of any chat platform. Adapters render it (Slack blocks,
// Discord embeds); `toPlainText` is the reference rendering for logs, the console and tests.

export type ReplyVisibility = 'ephemeral' | 'in_channel';

export interface ReplySection {
  heading?: string;
  /** Plain text, no markup: adapters escape it for their platform. Alert ids read `[A12]`. */
  lines: string[];
}

export interface Reply {
  /** `ephemeral`: only the person who asked sees it (the default); `in_channel`: everyone in the channel. */
  visibility: ReplyVisibility;
  title: string;
  sections: ReplySection[];
  footer?: string;
}

export function toPlainText(reply: Reply): string {
  const parts: string[] = [reply.title];
  for (const section of reply.sections) {
    if (section.lines.length === 0 && section.heading === undefined) continue;
    const block: string[] = [];
    if (section.heading !== undefined) block.push(`${section.heading}:`);
    const indent = section.heading !== undefined ? '  ' : '';
    for (const line of section.lines) block.push(`${indent}${line}`);
    parts.push(block.join('\n'));
  }
  if (reply.footer) parts.push(reply.footer);
  return parts.join('\n\n');
}
