// One institution, many names: Belvo's API says `erebor_mx_retail` / "Banco Erebor", its status page says
// "Banco Erebor MX - Retail" inside a "Mexico" group, webhooks and calls say only `erebor_mx_retail`. The catalogue
// joins them: automatically where the names agree once normalised (accents, case, legal suffixes such as "S.A.",
// country codes), through a config map for the rest, and it can say what it could not join so a person can fix it.
import { guessCountry, type InstitutionRef } from './institution.js';

/** Words that do not tell institutions apart (legal forms, "bank"), dropped before comparing names. */
const NOISE = new Set([
  'banco',
  'bank',
  'banca',
  's',
  'a',
  'sa',
  'de',
  'cv',
  'c',
  'v',
  'sab',
  'ltda',
  'inc',
  'the',
  'el',
  'la',
  'del',
  'y',
  'and',
  'institucion',
  'multiple',
  'grupo',
  'financiero',
]);
const COUNTRY_TOKENS = new Set(['mx', 'co', 'br', 'cl', 'ar', 'pe', 'uy', 'ec']);

/** The words that identify an institution, sorted: "Banco Érebor, S.A. MX - Retail" -> "erebor retail". */
export function nameKey(text: string): string {
  const words = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .split(' ')
    .filter((w) => w && !NOISE.has(w) && !COUNTRY_TOKENS.has(w));
  return [...new Set(words)].sort().join(' ');
}

export interface ApiInstitution {
  name: string;
  displayName: string;
  countryCodes: string[];
}

export interface StatusPageInstitution {
  /** The component's name on the status page. */
  name: string;
  /** Its group ("Mexico"), when the page groups by country. */
  group?: string;
}

export interface CatalogueMatch {
  component: StatusPageInstitution;
  institution?: InstitutionRef;
  /** How it was joined, or why not. */
  how: 'config' | 'name' | 'unmatched' | 'ambiguous';
  candidates?: string[];
}

export class InstitutionCatalogue {
  private readonly byName = new Map<string, InstitutionRef>();
  private readonly byKey = new Map<string, InstitutionRef[]>();
  /** Bumped when what it knows changes, so cached detections can tell they are stale. */
  version = 0;

  /** `map`: status-page component name -> Belvo institution name, for names that do not agree. */
  constructor(private readonly map: Record<string, string> = {}) {}

  /** Learns (or refreshes) the API's institutions. */
  addApiInstitutions(list: ApiInstitution[]): void {
    let changed = false;
    for (const i of list) {
      const country = i.countryCodes.length === 1 ? i.countryCodes[0] : undefined;
      const ref: InstitutionRef = { name: i.name, displayName: i.displayName || i.name, ...(country && { country }) };
      const known = this.byName.get(i.name);
      if (known && known.displayName === ref.displayName && known.country === ref.country) continue;
      this.byName.set(i.name, ref);
      changed = true;
      // The display name, the API name's words (`erebor_mx_retail` -> "erebor retail"), and the display name with
      // the API name's segment (status pages write "Caja Moria - Retail" for `moria_mx_retail` "Caja Moria").
      const segment = i.name.split('_').at(-1) ?? '';
      const keys = [
        nameKey(ref.displayName),
        nameKey(i.name.replace(/_/g, ' ')),
        nameKey(`${ref.displayName} ${segment}`),
      ];
      for (const key of new Set(keys)) {
        if (!key) continue;
        const list = (this.byKey.get(key) ?? []).filter((r) => r.name !== i.name);
        this.byKey.set(key, [...list, ref]);
      }
    }
    if (changed) this.version++;
  }

  get size(): number {
    return this.byName.size;
  }

  byApiName(name: string): InstitutionRef | undefined {
    return this.byName.get(name);
  }

  /** The API institution a status-page component is about, and how that was decided. */
  match(component: StatusPageInstitution): CatalogueMatch {
    const mapped = this.map[component.name];
    if (mapped) {
      const ref = this.byName.get(mapped) ?? { name: mapped, displayName: component.name };
      return { component, institution: ref, how: 'config' };
    }
    // Country codes in component names are written in any case ("Banco X mx - Retail").
    const country = guessCountry(component.group, component.name.toUpperCase());
    const candidates = (this.byKey.get(nameKey(component.name)) ?? []).filter(
      (r) => !country || !r.country || r.country === country,
    );
    if (candidates.length === 1) return { component, institution: candidates[0] as InstitutionRef, how: 'name' };
    if (candidates.length > 1) return { component, how: 'ambiguous', candidates: candidates.map((c) => c.name) };
    return { component, how: 'unmatched' };
  }
}
