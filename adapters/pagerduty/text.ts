// Text helpers shared by the PagerDuty renderers.

/** One line: PagerDuty shows the summary as a single line (a phone notification, an SMS, a voice call). */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * At most `max` UTF-16 units (the strictest way to count PagerDuty's characters), ending in "…" when cut; never
 * leaves half of a surrogate pair or a dangling space before the ellipsis.
 */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = max - 1;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return `${text.slice(0, cut).trimEnd()}…`;
}

/** `partial_outage` -> `partial outage`: the page's own word, readable. */
export function words(status: string): string {
  return status.replace(/_/g, ' ');
}
