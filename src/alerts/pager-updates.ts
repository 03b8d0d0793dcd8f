// The pager's webhooks, applied: the alert a page was sent for is found by the dedup key the bot sent (or, for a note,
// which names only the pager's incident, by the incident the bot has seen it under), changed by the pure
// `applyPagerUpdate`, and committed through the alert-commit service like a chat acknowledgement.
import type { Alert, AlertEvent } from '../domain/alert.js';
import { dedupKeyFor, parseDedupKey } from '../domain/dedup-key.js';
import { applyPagerUpdate } from '../engine/pager-update.js';
import type { AlertStore } from '../ports/alert-store.js';
import { StoreConflictError } from '../ports/alert-store.js';
import type { Logger } from '../ports/logger.js';
import type { PagerUpdate, PagerUpdateOutcome, PagerUpdates } from '../ports/pager-updates.js';

export interface PagerUpdateDeps {
  store: AlertStore;
  now: () => number;
  logger: Logger;
  /** The alert-commit service for changes already made to alerts (as chat commands use it). */
  commitEvents: (events: AlertEvent[], alerts: Alert[]) => Promise<void>;
}

/** A commit can lose a race with the engine writing the same alert; reading again and deciding again is safe. */
const ATTEMPTS = 3;
/** How far back a note's incident is looked for among alerts that resolved (notes often come after the end). */
const NOTE_LOOKBACK_MS = 7 * 86_400_000;

const firingFirst = (x: Alert, y: Alert) =>
  Number(y.state !== 'resolved') - Number(x.state !== 'resolved') || y.lastSeenAt - x.lastSeenAt;

async function byDedupKey(store: AlertStore, key: string): Promise<Alert | undefined> {
  const parsed = parseDedupKey(key);
  if (!parsed) return undefined;
  if ('fingerprint' in parsed) {
    const { latest } = await store.loadCommitContext({
      open: { kinds: [] },
      fingerprints: [parsed.fingerprint],
      now: 0,
    });
    return latest.sort(firingFirst)[0];
  }
  // A long fingerprint was hashed into the key: only the alerts that may have paged are candidates.
  const open = await store.listAlerts({ states: ['firing', 'pending'] });
  return open.filter((a) => dedupKeyFor(a.fingerprint) === key).sort(firingFirst)[0];
}

async function byIncident(store: AlertStore, incidentId: string, now: number): Promise<Alert | undefined> {
  const mine = (a: Alert) => a.paging?.incident?.id === incidentId;
  const open = (await store.listAlerts({ states: ['firing'] })).filter(mine);
  if (open.length > 0) return open.sort(firingFirst)[0];
  return (await store.listAlerts({ changedSince: now - NOTE_LOOKBACK_MS })).filter(mine).sort(firingFirst)[0];
}

export function createPagerUpdates(deps: PagerUpdateDeps): PagerUpdates {
  const find = async (u: PagerUpdate): Promise<Alert | undefined> => {
    let alert = u.dedupKey !== undefined ? await byDedupKey(deps.store, u.dedupKey) : undefined;
    alert ??= await byIncident(deps.store, u.incident.id, deps.now());
    // Evidence of an institution incident: the incident is what pages and what its message shows.
    if (alert?.incidentId) alert = (await deps.store.getAlert(alert.incidentId)) ?? alert;
    return alert;
  };

  return {
    async apply(update) {
      for (let attempt = 1; ; attempt++) {
        const alert = await find(update);
        if (!alert) return { outcome: 'unknown', reason: 'no alert of this bot has this dedup key or incident' };
        const now = deps.now();
        const result = applyPagerUpdate(alert, update, now);
        if (!result.changed) return { outcome: 'unchanged', alertId: alert.id, reason: result.reason };
        try {
          await deps.commitEvents(result.event ? [result.event] : [], [result.alert]);
        } catch (err) {
          if (err instanceof StoreConflictError && attempt < ATTEMPTS) continue;
          throw err;
        }
        const outcome: PagerUpdateOutcome = result.event
          ? { outcome: 'applied', alertId: alert.id }
          : { outcome: 'unchanged', alertId: alert.id, reason: 'the pager incident recorded' };
        deps.logger.info(
          { alert: alert.id, pagerEvent: update.eventId, type: update.type, outcome: outcome.outcome },
          'pager update',
        );
        return outcome;
      }
    },
  };
}
