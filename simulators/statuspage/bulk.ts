// Fills a page the way Belvo's institution page looks: one group per country, one component per institution named
// "<Bank> <CC> - <Segment>". Deterministic, so a 1,000-institution benchmark page is the same on every run.
import type { ComponentStatus, SimulatedPage } from './model.js';

const COUNTRY_CODES: Record<string, string> = {
  Mexico: 'MX',
  Colombia: 'CO',
  Brazil: 'BR',
  Chile: 'CL',
  Peru: 'PE',
  Argentina: 'AR',
  Uruguay: 'UY',
  Ecuador: 'EC',
};

// Fictional names in the spirit of Belvo's sandbox institutions (Erebor, Gringotts, ...).
const BANKS = [
  'Banco X',
  'Erebor',
  'Gringotts',
  'Gotham',
  'Banco Aurora',
  'Banco del Sol',
  'Banco Andino',
  'Banco Pacifico Sur',
  'Caja Popular Rivera',
  'Banco Quetzal',
  'Banco Meridiano',
  'Financiera Atlas',
  'Banco Cóndor',
  'Banco Jaguar',
  'Banco Colibrí',
  'Banco Ceiba',
  'Banco Horizonte',
  'Cooperativa Alba',
  'Banco Estrella',
  'Banco Volcán',
  'Banco Laguna',
  'Banco Cumbre',
  'Fintech Nube',
  'Banco Mirador',
  'Banco Brisa',
] as const;

const SEGMENTS = ['Retail', 'Business', 'Empresas', 'Personas', 'Corporate'] as const;

export interface PopulateInstitutionsOptions {
  /** How many institution components to create. Default 1,000. */
  count?: number;
  /** Group names; each must be a known Latin American country (Mexico, Colombia, Brazil, Chile, ...). */
  countries?: string[];
  /** Initial status for every institution. Default operational. */
  status?: ComponentStatus;
}

export interface SimulatedInstitution {
  /** Component id on the page. */
  id: string;
  /** Display name on the status page, `Banco X MX - Retail`. */
  displayName: string;
  /** The Belvo API `name` the display name corresponds to, `bancox_mx_retail`. */
  name: string;
  country: string;
  countryCode: string;
}

export interface PopulatedInstitutions {
  /** Country name to group id. */
  groups: Record<string, string>;
  institutions: SimulatedInstitution[];
}

/** Adds `count` institutions round-robin over the countries' groups (created when missing). */
export function populateInstitutions(
  page: SimulatedPage,
  options: PopulateInstitutionsOptions = {},
): PopulatedInstitutions {
  const count = options.count ?? 1000;
  const countries = options.countries ?? ['Mexico', 'Colombia', 'Brazil'];
  if (countries.length === 0) throw new Error('populateInstitutions needs at least one country');
  const groups: Record<string, string> = {};
  for (const country of countries) {
    if (!COUNTRY_CODES[country])
      throw new Error(`unknown country ${country}: use one of ${Object.keys(COUNTRY_CODES)}`);
    groups[country] = page.componentByName(country)?.id ?? page.addGroup(country);
  }
  const institutions: SimulatedInstitution[] = [];
  const perCountry = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const country = countries[i % countries.length]!;
    const n = perCountry.get(country) ?? 0;
    perCountry.set(country, n + 1);
    const { bank, segment, round } = nthName(n);
    const code = COUNTRY_CODES[country]!;
    const bankName = round === 0 ? bank : `${bank} ${round + 1}`;
    const displayName = `${bankName} ${code} - ${segment}`;
    const id = page.addComponent({
      name: displayName,
      group: groups[country]!,
      status: options.status ?? 'operational',
    });
    institutions.push({ id, displayName, name: slug(`${bankName} ${code} ${segment}`), country, countryCode: code });
  }
  return { groups, institutions };
}

/** Walks banks first, then segments, then numbered rounds, so the first names are the most familiar ones. */
function nthName(n: number): { bank: string; segment: string; round: number } {
  const perRound = BANKS.length * SEGMENTS.length;
  const inRound = n % perRound;
  return {
    bank: BANKS[inRound % BANKS.length]!,
    segment: SEGMENTS[Math.floor(inRound / BANKS.length)]!,
    round: Math.floor(n / perRound),
  };
}

/** `Banco Cóndor 2 MX Retail` -> `bancocondor2_mx_retail`, the shape of Belvo institution names. */
function slug(text: string): string {
  const parts = text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(' ');
  const segment = parts.pop() ?? '';
  const code = parts.pop() ?? '';
  return `${parts.join('').replace(/[^a-z0-9]/g, '')}_${code}_${segment}`;
}
