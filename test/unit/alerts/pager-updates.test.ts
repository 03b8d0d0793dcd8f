// Finding the alert a PagerDuty event is about, in a real store: by the dedup key the bot sent (written out, or
// hashed for a long fingerprint), by the PagerDuty incident for a note, through to the incident an alert is evidence
// of; and a commit that loses a race with the engine is decided again.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../../adapters/sqlite/sqlite-store.js';
import { createPagerUpdates } from '../../../src/alerts/pager-updates.js';
import type { Alert, AlertEvent } from '../../../src/domain/alert.js';
import { dedupKeyFor } from '../../../src/domain/dedup-key.js';
import { silentLogger } from '../../../src/ports/logger.js';
import type { PagerUpdate } from '../../../src/ports/pager-updates.js';
import type { Store } from '../../../src/ports/store.js';
import { makeAlert, T0 } from '../../contract/alert-factory.js';

const NOW = T0 + 600_000;

function paged(id: string, over: Partial<Alert> = {}): Alert {
  return makeAlert({
    id,
    state: 'firing',
    announced: true,
    maintenance: undefined,
    acknowledged: undefined,
    resolvedAt: undefined,
    paging: { rule: 'critical', destinations: ['pd'], dueAt: T0, pagedAt: T0, pager: 'triggered', severity: 'major' },
    ...over,
  });
}

const ack = (over: Partial<PagerUpdate> = {}): PagerUpdate =>
  ({ type: 'acknowledged', eventId: 'e1', incident: { id: 'PINC1' }, by: 'Ana', at: NOW, ...over }) as PagerUpdate;

describe('PagerDuty events, applied to the stored alerts', () => {
  let store: Store;
  let committed: { events: AlertEvent[]; alerts: Alert[] }[];
  let conflicts: number;

  const updates = () =>
    createPagerUpdates({
      store,
      now: () => NOW,
      logger: silentLogger,
      async commitEvents(events, alerts) {
        committed.push({ events, alerts });
        await store.commitAlerts({ alerts, intents: [], cursors: [] });
      },
    });

  /** Stores alerts (new ones take ids new:N, renamed by the store in order: A1, A2, ...). */
  async function save(...alerts: Alert[]): Promise<void> {
    await store.commitAlerts({ alerts, intents: [], cursors: [] });
  }

  beforeEach(async () => {
    store = createSqliteStore({ path: ':memory:' });
    await store.init();
    committed = [];
    conflicts = 0;
  });
  afterEach(async () => {
    await store.close();
  });

  it('finds the alert by the dedup key it was paged with', async () => {
    await save(paged('new:1'));
    const [stored] = await store.listAlerts();
    const outcome = await updates().apply(ack({ dedupKey: dedupKeyFor(stored!.fingerprint) }));
    expect(outcome).toEqual({ outcome: 'applied', alertId: stored!.id });
    expect((await store.getAlert(stored!.id))?.acknowledged).toEqual({ by: 'Ana', at: NOW, via: 'pagerduty' });
  });

  it('finds it by a hashed dedup key (a fingerprint longer than PagerDuty takes)', async () => {
    const fingerprint = `statuspage/institutions/incident/${'x'.repeat(300)}`;
    await save(paged('new:1', { fingerprint }));
    const key = dedupKeyFor(fingerprint);
    expect(key).toHaveLength(255);
    expect(await updates().apply(ack({ dedupKey: key }))).toMatchObject({ outcome: 'applied' });
  });

  it('a note names only the PagerDuty incident: found through the incident seen in an earlier event', async () => {
    await save(paged('new:1'));
    const [stored] = await store.listAlerts();
    const key = dedupKeyFor(stored!.fingerprint);
    await updates().apply({ ...ack({ dedupKey: key }), type: 'triggered', eventId: 'e0' } as PagerUpdate);
    const note = { type: 'annotated', eventId: 'e2', incident: { id: 'PINC1' }, by: 'Bruno', at: NOW } as const;
    expect(await updates().apply({ ...note, noteId: 'N1', note: 'on it' })).toEqual({
      outcome: 'applied',
      alertId: stored!.id,
    });
    expect(
      await updates().apply({ ...note, eventId: 'e3', incident: { id: 'POTHER' }, noteId: 'N2', note: 'x' }),
    ).toEqual({ outcome: 'unknown', reason: 'no alert of this bot has this dedup key or incident' });
  });

  it('an alert that is evidence of an institution incident: the incident is acknowledged', async () => {
    await save(paged('new:1', { kind: 'institution.incident', fingerprint: 'institution-incident/erebor' }));
    const [incident] = await store.listAlerts();
    await save(paged('new:2', { incidentId: incident!.id, paging: undefined }));
    const evidence = (await store.listAlerts()).find((a) => a.id !== incident!.id)!;
    expect(await updates().apply(ack({ dedupKey: dedupKeyFor(evidence.fingerprint) }))).toEqual({
      outcome: 'applied',
      alertId: incident!.id,
    });
  });

  it('decides again when the engine wrote the alert meanwhile, keeping what the engine wrote', async () => {
    await save(paged('new:1'));
    const [stored] = await store.listAlerts();
    const key = dedupKeyFor(stored!.fingerprint);
    const racing = createPagerUpdates({
      store,
      now: () => NOW,
      logger: silentLogger,
      async commitEvents(events, alerts) {
        if (conflicts < 1) {
          conflicts += 1;
          // A poll commits the same alert first: this commit's revision is stale.
          const current = (await store.getAlert(stored!.id))!;
          await save({ ...current, lastSeenAt: NOW });
        }
        await store.commitAlerts({ alerts, intents: [], cursors: [] });
        committed.push({ events, alerts });
      },
    });
    expect(await racing.apply(ack({ dedupKey: key }))).toMatchObject({ outcome: 'applied' });
    expect(conflicts).toBe(1);
    const after = (await store.getAlert(stored!.id))!;
    expect(after.acknowledged?.via).toBe('pagerduty');
    expect(after.lastSeenAt).toBe(NOW);
  });

  it('an event of no alert of the bot (another service under the same subscription) changes nothing', async () => {
    expect(await updates().apply(ack({ dedupKey: 'd3640fbd41094207a1c11e58e46b1662' }))).toEqual({
      outcome: 'unknown',
      reason: 'no alert of this bot has this dedup key or incident',
    });
    expect(committed).toEqual([]);
  });
});
