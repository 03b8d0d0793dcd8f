// HTML built so that nothing from outside can become markup: every value put into the `html` template is escaped
// unless it is itself the result of `html` (or `raw`, for the page's own constant markup). Status pages, Belvo and
// chat users all write text this page shows; a component named `<img src=x onerror=...>` must read as text.

import { escapeHtml } from '../domain/text.js';

export { escapeHtml };

/** Markup known to be safe: built by `html` from escaped parts, or the page's own constants. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (typeof value === 'string') return escapeHtml(value);
  if (value instanceof SafeHtml) return value.value;
  if (typeof value === 'number') return String(value);
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) {
    let out = '';
    for (const v of value as readonly HtmlValue[]) out += render(v);
    return out;
  }
  return escapeHtml(String(value));
}

/** The page's markup: constant parts as written, every `${value}` escaped (arrays joined, empty values dropped). */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}

/** Constant markup written in this code (never text that came from elsewhere). */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/** Only http(s) links are followed from the page: a `javascript:` URL from a feed must not become a link. */
export function safeHref(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.toString() : undefined;
  } catch {
    return undefined;
  }
}
