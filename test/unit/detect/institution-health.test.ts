import { describe, expect, it } from 'vitest';
import { institutionDownSeverity, institutionHealthSignals } from '../../../src/detect/institution-health.js';

describe('institution health from the Belvo API', () => {
  it.each<[number | undefined, number | undefined, boolean, string]>([
    [0.4, 400, false, 'critical'],
    [0.15, 150, false, 'major'],
    [0.02, 20, false, 'minor'],
    [0.02, 20, true, 'major'],
    [0.15, 150, true, 'critical'],
    [undefined, undefined, false, 'minor'],
    [0, 0, false, 'info'],
    [0, 0, true, 'major'],
  ])('share %s (%s links), critical %s: %s', (share, links, critical, severity) => {
    expect(institutionDownSeverity(share, links, critical)).toBe(severity);
  });

  it('says how many of the team’s links are there, and which rule decided', () => {
    const [signal] = institutionHealthSignals({
      environment: 'production',
      source: 'belvo-production',
      down: [{ id: 7, name: 'erebor_mx_retail', displayName: 'Banco Erebor', countryCodes: ['MX'], status: 'down' }],
      linksByInstitution: new Map([['erebor_mx_retail', 150]]),
      totalLinks: 1000,
      critical: (i) => i.name === 'erebor_mx_retail',
    });
    expect(signal).toMatchObject({
      fingerprint: 'belvo/production/institution-down/erebor_mx_retail',
      kind: 'belvo.institution-down',
      observation: 'bad',
      severity: 'critical',
      title: 'Banco Erebor is down on Belvo (production)',
      institution: { name: 'erebor_mx_retail', displayName: 'Banco Erebor', country: 'MX' },
      evidence: {
        rule: 'Belvo lists it as down; 150 of the team’s links (15.0%); on the critical list',
        links: 150,
        share: 0.15,
      },
    });
  });
});
