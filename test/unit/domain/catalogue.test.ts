import { describe, expect, it } from 'vitest';
import { InstitutionCatalogue, nameKey } from '../../../src/domain/catalogue.js';

const api = [
  { name: 'erebor_mx_retail', displayName: 'Banco Erebor', countryCodes: ['MX'] },
  { name: 'erebor_mx_business', displayName: 'Banco Erebor Empresas', countryCodes: ['MX'] },
  { name: 'erebor_co_retail', displayName: 'Banco Erebor', countryCodes: ['CO'] },
  { name: 'gringotts_br_retail', displayName: 'Gringotts S.A.', countryCodes: ['BR'] },
  { name: 'moria_mx_retail', displayName: 'Caja Moria', countryCodes: ['MX'] },
];

describe('the institution catalogue', () => {
  it.each([
    ['Banco Erebor MX - Retail', 'Mexico', 'erebor_mx_retail'],
    ['BANCO ÉREBOR mx - retail', undefined, 'erebor_mx_retail'],
    ['Banco Erebor CO - Retail', 'Colombia', 'erebor_co_retail'],
    ['Gringotts, S.A. BR - Retail', 'Brasil', 'gringotts_br_retail'],
    ['Gringotts BR - Retail', undefined, 'gringotts_br_retail'],
    ['Caja Moria - Retail', 'Mexico', 'moria_mx_retail'],
  ])('"%s" (group %s) is %s', (component, group, name) => {
    const c = new InstitutionCatalogue();
    c.addApiInstitutions(api);
    const m = c.match({ name: component, ...(group && { group }) });
    expect(m.how).toBe('name');
    expect(m.institution?.name).toBe(name);
  });

  it('lists what it cannot join, and a name two institutions share is ambiguous, not guessed', () => {
    const c = new InstitutionCatalogue();
    c.addApiInstitutions(api);
    expect(c.match({ name: 'Banco Lothlorien MX - Retail', group: 'Mexico' })).toMatchObject({ how: 'unmatched' });
    expect(c.match({ name: 'Banco Erebor - Retail' })).toMatchObject({
      how: 'ambiguous',
      candidates: ['erebor_mx_retail', 'erebor_co_retail'],
    });
  });

  it('the config map joins names that do not agree', () => {
    const c = new InstitutionCatalogue({ 'BLT Personas': 'lothlorien_mx_retail' });
    c.addApiInstitutions([{ name: 'lothlorien_mx_retail', displayName: 'Banco Lothlórien', countryCodes: ['MX'] }]);
    expect(c.match({ name: 'BLT Personas' })).toMatchObject({
      how: 'config',
      institution: { name: 'lothlorien_mx_retail', displayName: 'Banco Lothlórien', country: 'MX' },
    });
  });

  it('normalises accents, case, legal forms and country codes', () => {
    expect(nameKey('Banco Érebor, S.A. de C.V. MX - Retail')).toBe('erebor retail');
    expect(nameKey('erebor mx retail')).toBe('erebor retail');
  });

  it('counts a change of what it knows (a detection cached before it is stale)', () => {
    const c = new InstitutionCatalogue();
    c.addApiInstitutions(api);
    const v = c.version;
    c.addApiInstitutions(api);
    expect(c.version).toBe(v);
    c.addApiInstitutions([{ name: 'moria_mx_retail', displayName: 'Caja Moria Nueva', countryCodes: ['MX'] }]);
    expect(c.version).toBe(v + 1);
  });
});
