// Finding the alert on-call means from what it has at hand: the short id on a message (A12), a fingerprint from a
// log line, the dedup key PagerDuty shows, or an institution's name (its open incident). When that points at
// several, the answer lists them with their ids rather than guessing.
import type { Alert } from '../domain/alert.js';
import { dedupKeyFor, parseDedupKey } from '../domain/dedup-key.js';
import { INCIDENT_KIND } from '../domain/fingerprint.js';
import type { Store } from '../ports/store.js';
import type { AlertTarget } from './grammar.js';
import {
  type InstitutionMatch,
  institutionLabel,
  loadInstitutionAlerts,
  matchInstitutions,
} from './institution-match.js';

export type TargetResolution =
  | { found: 'one'; alert: Alert }
  /** The name matches several open alerts (several institutions, or one with separate alerts): each, with its id. */
  | { found: 'many'; choices: { label: string; alert: Alert }[] }
  | { found: 'none'; title: string; hint: string };

const firingFirst = (x: Alert, y: Alert) =>
  Number(y.state === 'firing') - Number(x.state === 'firing') || y.lastSeenAt - x.lastSeenAt;

/**
 * What an institution's name means: its open incident; without one, its open alerts (each as the incident holding
 * it, when one does). Usually one; several when the institution has separate open alerts.
 */
async function openAlertsOf(store: Store, match: InstitutionMatch): Promise<Alert[]> {
  const open = match.alerts.filter((a) => a.state === 'firing');
  const incident = open.find((a) => a.kind === INCIDENT_KIND);
  if (incident) return [incident];
  const byId = new Map<string, Alert>();
  for (const a of open.sort(firingFirst)) {
    const holder = (a.incidentId && (await store.getAlert(a.incidentId))) || a;
    if (!byId.has(holder.id)) byId.set(holder.id, holder);
  }
  return [...byId.values()];
}

async function byInstitution(store: Store, query: string): Promise<TargetResolution> {
  const matches = matchInstitutions(query, await loadInstitutionAlerts(store));
  if (matches.length === 0) {
    return {
      found: 'none',
      title: `No alert names an institution like "${query}"`,
      hint: 'status lists the open alerts with their ids; ack and silence also take a fingerprint or a dedup key.',
    };
  }
  const choices: { label: string; alert: Alert }[] = [];
  for (const m of matches) {
    for (const alert of await openAlertsOf(store, m)) {
      choices.push({ label: `${institutionLabel(m.institution)} · ${m.institution.name}`, alert });
    }
  }
  // Several names may match while only one has anything open: that is the one meant.
  const [only] = choices;
  if (choices.length === 1 && only) return { found: 'one', alert: only.alert };
  if (choices.length > 1) return { found: 'many', choices };
  const names = matches.slice(0, 3).map((m) => institutionLabel(m.institution));
  return {
    found: 'none',
    title: `Nothing is open at ${names.join(', ')}${matches.length > 3 ? ` (+${matches.length - 3} more)` : ''}`,
    hint: 'history lists the incidents that ended.',
  };
}

/** A fingerprint, or a PagerDuty dedup key (`belvo-status/<fingerprint>`, hashed when the fingerprint is long). */
async function byKey(store: Store, key: string): Promise<TargetResolution | undefined> {
  const parsed = parseDedupKey(key);
  const candidates = await loadInstitutionAlerts(store);
  const fingerprint = parsed && 'fingerprint' in parsed ? parsed.fingerprint : parsed ? undefined : key;
  const found = candidates.filter((a) =>
    fingerprint !== undefined ? a.fingerprint === fingerprint : dedupKeyFor(a.fingerprint) === key,
  );
  if (found.length === 0 && fingerprint !== undefined) {
    // Older than the recent alerts: the store keeps the latest alert of every fingerprint.
    const { latest } = await store.loadCommitContext({ open: { kinds: [] }, fingerprints: [fingerprint], now: 0 });
    found.push(...latest);
  }
  // One fingerprint can have had several alerts over time (it resolved, then came back): the open one, or the last.
  const [alert] = found.sort(firingFirst);
  return alert ? { found: 'one', alert } : undefined;
}

export async function resolveAlertTarget(store: Store, target: AlertTarget): Promise<TargetResolution> {
  switch (target.type) {
    case 'alert': {
      const alert = await store.getAlert(target.alertId);
      if (alert) return { found: 'one', alert };
      return {
        found: 'none',
        title: `No alert ${target.alertId}`,
        hint: 'status lists the open alerts with their ids.',
      };
    }
    case 'key': {
      const found = await byKey(store, target.key);
      if (found) return found;
      // A name with a slash in it ("Banco A/B") is still worth a try as a name.
      const asName = await byInstitution(store, target.key);
      if (asName.found !== 'none') return asName;
      return {
        found: 'none',
        title: `No alert with the fingerprint or dedup key ${target.key}`,
        hint: 'status lists the open alerts with their ids.',
      };
    }
    case 'institution':
      return byInstitution(store, target.query);
  }
}
