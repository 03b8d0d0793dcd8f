import { describe, expect, it } from 'vitest';
import { escapeHtml, html, raw, safeHref } from '../../../src/web/html.js';
import { maskId } from '../../../src/web/mask.js';

describe('html', () => {
  it('escapes every value put into it, in text and in attributes', () => {
    const name = '<img src=x onerror=alert(1)>';
    const out = html`<td title="${'" onmouseover="x'}">${name}</td>`.value;
    expect(out).toBe('<td title="&quot; onmouseover=&quot;x">&lt;img src=x onerror=alert(1)&gt;</td>');
    expect(escapeHtml(`a & b's "c"`)).toBe('a &amp; b&#39;s &quot;c&quot;');
  });

  it('keeps its own markup, joins arrays, and drops empty values', () => {
    const rows = ['<a>', 'b'].map((x) => html`<li>${x}</li>`);
    expect(html`<ul>${rows}${undefined}${false}${null}${0}</ul>`.value).toBe('<ul><li>&lt;a&gt;</li><li>b</li>0</ul>');
    expect(html`${raw('<br>')}`.value).toBe('<br>');
  });

  it('follows only http(s) links', () => {
    expect(safeHref('javascript:alert(1)')).toBeUndefined();
    expect(safeHref('data:text/html,<script>')).toBeUndefined();
    expect(safeHref('not a url')).toBeUndefined();
    expect(safeHref('https://status.belvo.com/incidents/x')).toBe('https://status.belvo.com/incidents/x');
  });
});

describe('maskId', () => {
  it('keeps the last characters of a link id, and of a short id only the last one', () => {
    expect(maskId('0d3a6f2c-1b2c-4d5e-8f90-1234567890ab')).toBe('…7890ab');
    expect(maskId('user-12')).toBe('…2');
  });
});
