import { describe, expect, it } from 'vitest';
import { cleanText } from '../../../src/domain/clean-text.js';

describe('text from others, cleaned before anyone reads it', () => {
  it.each([
    ['a right-to-left override that reverses what follows', 'Banco \u202Eodalovnet\u202C MX', 'Banco odalovnet MX'],
    ['isolates and marks', '\u2067Pix\u2069 \u200Fdown\u200E', 'Pix down'],
    ['zero-width characters inside a word', 'Ere\u200Bbor\u2060 \uFEFFRetail', 'Erebor Retail'],
    ['a zero-width joiner or non-joiner between letters', 'Ba\u200Dnco\u200C X', 'Banco X'],
  ])('%s', (_what, input, expected) => {
    expect(cleanText(input)).toBe(expected);
  });

  it('keeps accents, line breaks and emoji sequences as they are', () => {
    const text = 'Investigación en curso\nSão Paulo 👩\u200D💻 ok';
    expect(cleanText(text)).toBe(text);
  });
});
