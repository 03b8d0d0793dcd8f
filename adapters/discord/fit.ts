// Keeps one embed inside Discord's limits as a whole: at most 25 fields and 6000 characters across title,
// description, field names and values, footer and author. Fields past what fits are summed up as "+N more".
// https://discord.com/developers/docs/resources/message#embed-object-embed-limits
import type { APIEmbed, APIEmbedField } from 'discord-api-types/v10';
import { clip } from '../../src/domain/text.js';
import { DISCORD_LIMITS } from './limits.js';

export interface EmbedDraft {
  title?: string;
  url?: string;
  description?: string;
  color?: number;
  /** Always shown (each already inside the per-field limits). */
  fields: APIEmbedField[];
  /** Shown while they fit (evidence): what does not fit becomes one "+N more" field. */
  extraFields?: APIEmbedField[];
  footer?: string;
  timestamp?: string;
}

/** Characters Discord counts against the 6000 of a message, for one embed. */
export function embedLength(e: APIEmbed): number {
  let n = (e.title?.length ?? 0) + (e.description?.length ?? 0) + (e.footer?.text.length ?? 0);
  n += e.author?.name.length ?? 0;
  for (const f of e.fields ?? []) n += f.name.length + f.value.length;
  return n;
}

/** Room kept for the "+N more" field when extra fields are cut. */
const MORE_FIELD_ROOM = 200;

function moreField(rest: APIEmbedField[]): APIEmbedField {
  return {
    name: `+${rest.length} more`,
    value: clip(rest.map((f) => f.name).join(', '), 180),
    inline: false,
  };
}

export function fitEmbed(d: EmbedDraft, budget: number = DISCORD_LIMITS.embedTotal): APIEmbed {
  const embed: APIEmbed = {
    ...(d.title !== undefined && { title: clip(d.title, DISCORD_LIMITS.title) }),
    ...(d.url !== undefined && { url: d.url }),
    ...(d.description !== undefined && { description: clip(d.description, DISCORD_LIMITS.description) }),
    ...(d.color !== undefined && { color: d.color }),
    ...(d.footer !== undefined && { footer: { text: clip(d.footer, DISCORD_LIMITS.footer) } }),
    ...(d.timestamp !== undefined && { timestamp: d.timestamp }),
    fields: d.fields.slice(0, DISCORD_LIMITS.fields),
  };
  const fields = embed.fields as APIEmbedField[];
  const extra = d.extraFields ?? [];
  // The fixed part first, shortened if it alone leaves too little room (longest text first).
  shrinkToFit(embed, budget - (extra.length ? MORE_FIELD_ROOM : 0));
  for (let i = 0; i < extra.length; i++) {
    const candidate = extra[i] as APIEmbedField;
    const isLast = i === extra.length - 1;
    const roomAfter = isLast ? 0 : MORE_FIELD_ROOM;
    const fits =
      fields.length + (isLast ? 1 : 2) <= DISCORD_LIMITS.fields &&
      embedLength(embed) + candidate.name.length + candidate.value.length + roomAfter <= budget;
    if (!fits) {
      fields.push(moreField(extra.slice(i)));
      break;
    }
    fields.push(candidate);
  }
  // A last guard: whatever the inputs, the embed leaves here inside the limit.
  shrinkToFit(embed, budget);
  if (fields.length === 0) delete embed.fields;
  return embed;
}

/** Cuts the longest text of the embed until the whole fits `budget`. Terminates: every pass shortens something. */
function shrinkToFit(embed: APIEmbed, budget: number): void {
  for (let guard = 0; guard < 100 && embedLength(embed) > budget; guard++) {
    const over = embedLength(embed) - budget;
    const texts: { len: number; set: (max: number) => void }[] = [];
    if (embed.description)
      texts.push({ len: embed.description.length, set: (m) => (embed.description = clip(embed.description ?? '', m)) });
    for (const f of embed.fields ?? []) texts.push({ len: f.value.length, set: (m) => (f.value = clip(f.value, m)) });
    if (embed.title) texts.push({ len: embed.title.length, set: (m) => (embed.title = clip(embed.title ?? '', m)) });
    const longest = texts.sort((a, b) => b.len - a.len)[0];
    if (!longest || longest.len <= 20) {
      // Nothing left worth cutting (an absurd budget): drop fields from the end.
      embed.fields?.pop();
      continue;
    }
    longest.set(Math.max(20, longest.len - over));
  }
}
