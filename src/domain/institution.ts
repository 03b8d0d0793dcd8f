/** One institution as every source should speak of it (the catalogue that joins names arrives later). */
export interface InstitutionRef {
  /** Belvo API `name` (`erebor_mx_retail`) when known, else a slug of the display name. */
  name: string;
  displayName: string;
  /** ISO 3166-1 alpha-2, upper case, when known. */
  country?: string;
}

const COUNTRY_WORDS: Record<string, string> = {
  mexico: 'MX',
  méxico: 'MX',
  colombia: 'CO',
  brazil: 'BR',
  brasil: 'BR',
  chile: 'CL',
  argentina: 'AR',
  peru: 'PE',
  perú: 'PE',
  uruguay: 'UY',
  ecuador: 'EC',
};

/** Guesses a country code from a status-page group name ("Mexico") or a display-name suffix ("Banco X MX - Retail"). */
export function guessCountry(...texts: (string | undefined)[]): string | undefined {
  for (const text of texts) {
    if (!text) continue;
    const word = COUNTRY_WORDS[text.trim().toLowerCase()];
    if (word) return word;
    const code = /\b(MX|CO|BR|CL|AR|PE|UY|EC)\b/.exec(text);
    if (code?.[1]) return code[1];
  }
  return undefined;
}

export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}
