// Text helpers for Discord markdown. Pure.

/** Cuts text to `max` characters, saying how much was left out ("… (+N more)"). */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = (keep: number) => `${text.slice(0, keep)}… (+${text.length - keep} more)`;
  // The suffix's length depends on the number it states: settle on the longest cut that fits.
  let keep = Math.max(0, max - cut(0).length + 1);
  while (keep > 0 && cut(keep).length > max) keep--;
  while (cut(keep + 1).length <= max) keep++;
  // Never split a surrogate pair (half an emoji is not valid text to Discord).
  if (keep > 0 && /[\uD800-\uDBFF]/.test(text.charAt(keep - 1))) keep--;
  const out = cut(keep);
  return out.length <= max ? out : out.slice(0, max);
}

/**
 * Text that came from elsewhere (a status page, a user) shown as typed: Discord markdown characters escaped, so a
 * page's `**` or `[text](url)` cannot restyle the message or disguise a link.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\*_~`|[\]]/g, '\\$&')
    .replace(/^(\s*)([>#-])/gm, '$1\\$2')
    .replace(/<(?=[@#:!a]|t:)/g, '<\u200b');
}
