// Small pieces every part of the page uses: times, state badges, links to an incident's page.
import { shortUtc } from '../../commands/format.js';
import { html, type SafeHtml } from '../html.js';
import type { WebPaths } from '../paths.js';

export function time(ms: number): SafeHtml {
  return html`<time datetime="${new Date(ms).toISOString()}">${shortUtc(ms)}</time>`;
}

/** A state in words on a coloured badge (the words carry the meaning; the colour only helps). */
export function badge(level: string, text: string): SafeHtml {
  return html`<span class="badge lv-${level}">${text}</span>`;
}

export function alertLink(paths: WebPaths, id: string, text = id): SafeHtml {
  return html`<a href="${paths.incident(id)}">${text}</a>`;
}

let numbers: Intl.NumberFormat | undefined;

/** `1,240`: one formatter for the page (`toLocaleString` builds one per call, a thousand times a page). */
export function count(n: number): string {
  numbers ??= new Intl.NumberFormat('en-US');
  return numbers.format(n);
}
