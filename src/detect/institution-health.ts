// Belvo's own word on an institution (`GET /api/institutions/?status=down`) as signals: each institution listed as
// down is observed bad; one that is no longer listed is observed ok (the poll sees the whole list, so the scope is
// complete). Severity follows what it means for the team: the share of its links there, one step up for an
// institution on the critical list; an institution where the team has no links at all is only information. Pure.
import { fingerprint } from '../domain/fingerprint.js';
import type { InstitutionRef } from '../domain/institution.js';
import { atLeast, type Severity } from '../domain/severity.js';
import type { Signal } from '../domain/signal.js';
import type { BelvoInstitution } from '../ports/belvo.js';

export interface InstitutionHealthInput {
  environment: string;
  source: string;
  down: BelvoInstitution[];
  /** The team's links per institution name; undefined when not known yet (no reconciliation so far). */
  linksByInstitution?: Map<string, number>;
  totalLinks?: number;
  critical: (institution: InstitutionRef) => boolean;
}

export function institutionDownScope(environment: string): string {
  return fingerprint.institutionDownScope(environment);
}

export function institutionRefOf(i: BelvoInstitution): InstitutionRef {
  const country = i.countryCodes.length === 1 ? i.countryCodes[0] : undefined;
  return { name: i.name, displayName: i.displayName || i.name, ...(country && { country }) };
}

export function institutionDownSeverity(
  share: number | undefined,
  links: number | undefined,
  critical: boolean,
): Severity {
  let base: Severity;
  if (links === 0) base = 'info';
  else if (share === undefined) base = 'minor';
  else if (share >= 0.3) base = 'critical';
  else if (share >= 0.1) base = 'major';
  else base = 'minor';
  if (!critical) return base;
  if (atLeast(base, 'major')) return 'critical';
  return 'major';
}

const pct = (r: number) => `${(r * 100).toFixed(1)}%`;

export function institutionHealthSignals(input: InstitutionHealthInput): Signal[] {
  return input.down.map((i) => {
    const inst = institutionRefOf(i);
    const links = input.linksByInstitution?.get(i.name);
    const share = links !== undefined && input.totalLinks ? links / input.totalLinks : undefined;
    const critical = input.critical(inst);
    const impact =
      links === undefined
        ? 'the team’s links there are not counted yet'
        : `${links} of the team’s links (${pct(share ?? 0)})`;
    return {
      fingerprint: fingerprint.institutionDown(input.environment, i.name),
      kind: 'belvo.institution-down',
      source: input.source,
      lifecycle: 'observed',
      observation: 'bad',
      severity: institutionDownSeverity(share, links, critical),
      title: `${inst.displayName} is down on Belvo (${input.environment})`,
      status: i.status,
      environment: input.environment,
      institution: inst,
      evidence: {
        rule: `Belvo lists it as ${i.status}; ${impact}${critical ? '; on the critical list' : ''}`,
        ...(links !== undefined && { links }),
        ...(share !== undefined && { share: Number(share.toFixed(4)) }),
        institutionId: i.id,
      },
    } satisfies Signal;
  });
}
