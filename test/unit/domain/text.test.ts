import { describe, expect, it } from 'vitest';
import { clip, escapeDiscord, escapeHtml, escapeSlack, oneLine } from '../../../src/domain/text.js';

/** Half of a surrogate pair left alone: not valid text to Slack, Discord or PagerDuty. */
const LONE_HIGH_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])/;

describe('clip', () => {
  it('keeps short text and cuts long text to the limit exactly, saying how much was left out', () => {
    expect(clip('short', 10)).toBe('short');
    const cut = clip('y'.repeat(100), 40);
    expect(cut).toHaveLength(40);
    expect(cut).toMatch(/^y+… \(\+\d+ more\)$/);
    const left = Number(/\+(\d+) more/.exec(cut)?.[1]);
    expect(cut.indexOf('…') + left).toBe(100);
  });

  it('with an ellipsis, ends in "…" with no dangling space, at most max long', () => {
    expect(clip('word '.repeat(20), 11, 'ellipsis')).toBe('word word…');
    expect(clip('x'.repeat(50), 10, 'ellipsis')).toBe(`${'x'.repeat(9)}…`);
  });

  it('never splits an emoji, in either style', () => {
    for (let max = 12; max < 30; max++) {
      for (const style of ['more', 'ellipsis'] as const) {
        const cut = clip('🔴'.repeat(50), max, style);
        expect(cut.length).toBeLessThanOrEqual(max);
        expect(cut).not.toMatch(LONE_HIGH_SURROGATE);
      }
    }
  });
});

describe('oneLine', () => {
  it('collapses whitespace and removes control characters, so a title cannot forge a line or recolour a terminal', () => {
    expect(oneLine('  Banco\r\nErebor\t\u001b[31mdown\u0007 ')).toBe('Banco Erebor [31mdown');
  });

  it('cuts to max with an ellipsis when given one', () => {
    expect(oneLine('a b c d e f g h', 6)).toBe('a b c…');
    expect(oneLine('short', 6)).toBe('short');
  });
});

describe('escaping text from elsewhere', () => {
  it('Slack: <, > and & cannot make a mention or a link', () => {
    expect(escapeSlack('<!channel> & <https://evil.example|status>')).toBe(
      '&lt;!channel&gt; &amp; &lt;https://evil.example|status&gt;',
    );
  });

  it('Discord: cannot restyle the message, disguise a link or render a mention', () => {
    expect(escapeDiscord('**bold** [status](https://evil.example) <@123> `x` ||spoiler||')).toBe(
      '\\*\\*bold\\*\\* \\[status\\](https://evil.example) <\u200b@123> \\`x\\` \\|\\|spoiler\\|\\|',
    );
    expect(escapeDiscord('# heading\n> quote')).toBe('\\# heading\n\\> quote');
  });

  it('HTML: text and quoted attributes alike', () => {
    expect(escapeHtml(`<img src=x onerror="a('b')">&`)).toBe(
      '&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;',
    );
    expect(escapeHtml('plain')).toBe('plain');
  });
});
