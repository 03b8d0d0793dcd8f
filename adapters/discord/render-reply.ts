// A neutral /belvo-status reply as a Discord interaction message: one embed (title, sections, footer), private to
// the person who asked unless the reply is for the channel. Pure; inside Discord's limits.
import type { Reply } from '../../src/commands/reply.js';
import { clip, escapeDiscord } from '../../src/domain/text.js';
import { fitEmbed } from './fit.js';
import { DISCORD_LIMITS, EPHEMERAL_FLAG } from './limits.js';

export interface DiscordReply {
  embeds: ReturnType<typeof fitEmbed>[];
  /** 64: only the person who asked sees it. */
  flags?: number;
  allowed_mentions: { parse: [] };
}

/** Discord's neutral colour for answers (alerts carry their state's colour instead). */
const REPLY_COLOR = 0x5865f2;

export function renderCommandReply(reply: Reply): DiscordReply {
  const blocks: string[] = [];
  for (const section of reply.sections) {
    const head = section.heading ? `**${escapeDiscord(section.heading)}**` : '';
    const body = section.lines.map(escapeDiscord).join('\n');
    if (!head && !body) continue;
    blocks.push([head, body].filter(Boolean).join('\n'));
  }
  const embed = fitEmbed({
    // An embed title shows no links and pings nobody: it stays as written ("Silenced [A1] ...").
    title: clip(reply.title, DISCORD_LIMITS.title),
    ...(blocks.length && { description: clip(blocks.join('\n\n'), DISCORD_LIMITS.description) }),
    color: REPLY_COLOR,
    fields: [],
    ...(reply.footer && { footer: reply.footer }),
  });
  return {
    embeds: [embed],
    ...(reply.visibility === 'ephemeral' && { flags: EPHEMERAL_FLAG }),
    allowed_mentions: { parse: [] },
  };
}
