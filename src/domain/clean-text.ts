// Text written by others (status pages, Belvo's API) reaches chat, pages and the web page. Bidirectional overrides
// can make a message read differently from what it says ("Trojan Source"), and zero-width characters hide words from
// search and from people comparing names; neither has a use in a status update. They are removed where the text
// enters the bot, so every renderer shows the same clean text.

// LRE RLE PDF LRO RLO (U+202A-202E), LRI RLI FSI PDI (U+2066-2069), LRM RLM (U+200E-200F), the Arabic letter mark
// (U+061C); zero-width space (U+200B), word joiner (U+2060), BOM / zero-width no-break space (U+FEFF), Mongolian
// vowel separator (U+180E).
const INVISIBLE = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C\u200B\u2060\uFEFF\u180E]/g;
// Zero-width joiners and non-joiners, but for the joiner inside an emoji sequence (a family, a profession).
const JOINERS = /(?<!\p{Extended_Pictographic}\uFE0F?)\u200D|\u200C/gu;

export function cleanText(text: string): string {
  return text.replace(INVISIBLE, '').replace(JOINERS, '');
}
