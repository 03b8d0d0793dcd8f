// A neutral /belvo-status reply as a Slack response (slash command answer or response_url follow-up). Pure.
import type { Reply } from '../../src/commands/reply.js';
import { clip, escapeSlack } from '../../src/domain/text.js';
import { SLACK_LIMITS } from './limits.js';
import type { Block } from './render.js';

export interface SlackReply {
  response_type: 'ephemeral' | 'in_channel';
  text: string;
  blocks: Block[];
}

export function renderCommandReply(reply: Reply): SlackReply {
  const blocks: Block[] = [
    {
      type: 'section',
      text: { type: 'mrkdwn', text: clip(`*${escapeSlack(reply.title)}*`, SLACK_LIMITS.sectionText) },
    },
  ];
  for (const section of reply.sections) {
    const head = section.heading ? `*${escapeSlack(section.heading)}*\n` : '';
    const body = section.lines.map(escapeSlack).join('\n');
    if (!head && !body) continue;
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: head + clip(body || ' ', SLACK_LIMITS.sectionText - head.length) },
    });
  }
  if (reply.footer)
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: clip(escapeSlack(reply.footer), SLACK_LIMITS.sectionText) }],
    });
  // Keep room for the last block: a cut reply says so rather than silently dropping sections.
  if (blocks.length > SLACK_LIMITS.blocksPerMessage) {
    const dropped = blocks.length - (SLACK_LIMITS.blocksPerMessage - 1);
    blocks.splice(SLACK_LIMITS.blocksPerMessage - 1);
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `+${dropped} more sections` }] });
  }
  // Titles can echo what a user typed (`No institution matching "<!here>"`): escaped like everything else.
  return { response_type: reply.visibility, text: clip(escapeSlack(reply.title), 300), blocks };
}
