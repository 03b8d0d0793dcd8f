// The one text module: cutting text to a platform's limit, flattening it to one line, and escaping text that came
// from elsewhere (a status page, Belvo, a chat user) for the markup each platform speaks. Pure.

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is removed
const CONTROL = /[\u0000-\u001f\u007f-\u009f]+/g;

/** Whether the UTF-16 unit at `i` is the first half of a surrogate pair (cutting after it leaves half an emoji). */
function highSurrogateAt(text: string, i: number): boolean {
  const code = text.charCodeAt(i);
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * At most `max` UTF-16 units (the strictest way any platform counts), never splitting a surrogate pair.
 * - `more` (the default, for chat): says how much was left out, "… (+N more)", so a reader knows text is missing.
 * - `ellipsis` (for a phone notification or a terminal line): ends in "…" with no dangling space before it.
 */
export function clip(text: string, max: number, style: 'more' | 'ellipsis' = 'more'): string {
  if (text.length <= max) return text;
  if (style === 'ellipsis') {
    let cut = Math.max(0, max - 1);
    if (cut > 0 && highSurrogateAt(text, cut - 1)) cut -= 1;
    return `${text.slice(0, cut).trimEnd()}…`;
  }
  const cut = (keep: number) => `${text.slice(0, keep)}… (+${text.length - keep} more)`;
  // The suffix's length depends on the number it states: settle on the longest cut that fits.
  let keep = Math.max(0, max - cut(0).length + 1);
  while (keep > 0 && cut(keep).length > max) keep--;
  while (cut(keep + 1).length <= max) keep++;
  if (keep > 0 && highSurrogateAt(text, keep - 1)) keep--;
  const out = cut(keep);
  return out.length <= max ? out : out.slice(0, max);
}

/**
 * One line: whitespace collapsed and control characters (escape sequences, carriage returns) removed, so a title
 * cannot forge lines in a terminal or a log; cut to `max` with "…" when given.
 */
export function oneLine(text: string, max?: number): string {
  const flat = text.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
  return max === undefined ? flat : clip(flat, max, 'ellipsis');
}

/** Slack mrkdwn: &, < and > must be escaped in text that came from elsewhere (https://api.slack.com/reference/surfaces/formatting#escaping). */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Discord markdown: markdown characters escaped, so a page's `**` or `[text](url)` cannot restyle the message or
 * disguise a link, and `<@…>`, `<#…>`, `<t:…>` cannot mention or format.
 */
export function escapeDiscord(text: string): string {
  return text
    .replace(/[\\*_~`|[\]]/g, '\\$&')
    .replace(/^(\s*)([>#-])/gm, '$1\\$2')
    .replace(/<(?=[@#:!a]|t:)/g, '<\u200b');
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const HTML_SPECIAL = /[&<>"']/;

/** HTML text and attribute values alike (quotes included, so it is safe inside a quoted attribute). */
export function escapeHtml(text: string): string {
  // Most text (names, ids, numbers) has nothing to escape: skip the replace and its allocations.
  return HTML_SPECIAL.test(text) ? text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c) : text;
}
