// Store contract, Belvo part: webhooks stored once, link states from LINK events and reconciliation listings, and
// the link events spike detectors count. Called from describeStoreContract with its fresh store.
import { describe, expect, it } from 'vitest';
import type { BelvoWebhookRecord } from '../../src/ports/belvo-links.js';
import type { Store } from '../../src/ports/store.js';
import { T0 } from './alert-factory.js';

let seq = 0;
/** A 32-hex webhook id, unique per call. */
function webhookId(): string {
  seq++;
  return seq.toString(16).padStart(32, '0'); // hex has no leading zero: padding with 0 keeps ids apart
}

function webhook(overrides: Partial<BelvoWebhookRecord> = {}): BelvoWebhookRecord {
  const id = overrides.webhookId ?? webhookId();
  return {
    environment: 'production',
    webhookId: id,
    type: 'ACCOUNTS',
    code: 'historical_update',
    linkId: '16f68516-bcbc-4cf7-b815-c500d4204e28',
    externalId: 'customer-881',
    requestId: '4363b08b-51eb-4350-9c74-5df5ac92a7f6',
    processType: 'historical_update',
    receivedAt: T0,
    body: JSON.stringify({ webhook_id: id, webhook_type: 'ACCOUNTS', webhook_code: 'historical_update' }),
    ...overrides,
  };
}

function linkEvent(linkId: string, code: string, at: number, extra: Partial<BelvoWebhookRecord> = {}) {
  return webhook({ type: 'LINK', code, linkId, receivedAt: at, processType: 'recurrent_update', ...extra });
}

export function describeBelvoLinkContract(store: () => Store): void {
  describe('retention', () => {
    it('forgets old webhooks and link events, in chunks, and keeps recent ones and every link state', async () => {
      const DAY = 86_400_000;
      const old = Array.from({ length: 4500 }, (_, i) => webhook({ receivedAt: T0 - 40 * DAY + i }));
      await store().recordBelvoWebhooks(old);
      await store().recordBelvoWebhooks([linkEvent('link-old', 'token_required', T0 - 40 * DAY)]);
      const recent = webhook({ receivedAt: T0 - DAY });
      await store().recordBelvoWebhooks([recent, linkEvent('link-new', 'token_required', T0 - DAY)]);

      const pruned = await store().pruneBelvo({ webhooksBefore: T0 - 30 * DAY, linkEventsBefore: T0 - 30 * DAY });
      expect(pruned).toEqual({ webhooks: 4501, linkEvents: 1 });
      const kept = await store().listBelvoWebhooks();
      expect(kept.map((w) => w.receivedAt).sort()).toEqual([T0 - DAY, T0 - DAY]);
      const events = await store().linkEvents({ environment: 'production', code: 'token_required', since: 0 });
      expect(events.map((e) => e.linkId)).toEqual(['link-new']);
      // The link itself is still known, and a webhook kept is still refused as a duplicate.
      expect((await store().getBelvoLink('production', 'link-old'))?.status).toBe('token_required');
      expect((await store().recordBelvoWebhooks([recent])).outcomes).toEqual(['duplicate']);
      expect(await store().pruneBelvo({ webhooksBefore: T0 - 30 * DAY, linkEventsBefore: 0 })).toEqual({
        webhooks: 0,
        linkEvents: 0,
      });
    });

    it('lets the event loop run between its chunks (webhooks arriving meanwhile wait for one chunk at most)', async () => {
      const DAY = 86_400_000;
      await store().recordBelvoWebhooks(
        Array.from({ length: 4500 }, (_, i) => webhook({ receivedAt: T0 - 40 * DAY + i })),
      );
      let turns = 0;
      let done = false;
      const spin = (): void => {
        if (done) return;
        turns++;
        setImmediate(spin);
      };
      setImmediate(spin);
      const pruned = await store().pruneBelvo({ webhooksBefore: T0, linkEventsBefore: T0 });
      done = true;
      expect(pruned.webhooks).toBe(4500);
      expect(turns).toBeGreaterThanOrEqual(2);
    });
  });

  describe('webhooks', () => {
    it('stores each webhook_id once, answering which records were new, duplicates within a batch included', async () => {
      const a = webhook();
      const b = webhook();
      const first = await store().recordBelvoWebhooks([a, b, { ...a, receivedAt: T0 + 5 }]);
      expect(first).toEqual({
        outcomes: ['inserted', 'inserted', 'duplicate'],
        inserted: 2,
        duplicates: 1,
        linkTransitions: 0,
      });

      const retry = await store().recordBelvoWebhooks([{ ...b, receivedAt: T0 + 60_000 }, webhook()]);
      expect(retry.outcomes).toEqual(['duplicate', 'inserted']);
      const stored = await store().listBelvoWebhooks();
      expect(stored).toHaveLength(3);
      // The first delivery is the one kept.
      expect(stored.find((w) => w.webhookId === b.webhookId)?.receivedAt).toBe(T0);
    });

    it('returns a webhook exactly as recorded, optional fields absent when absent', async () => {
      const full = webhook({ body: '{"webhook_id":"x","data":{"note":"ñ é"}}' });
      const bare: BelvoWebhookRecord = {
        environment: 'sandbox',
        webhookId: webhookId(),
        type: 'SOMETHING_NEW',
        code: 'never_seen',
        receivedAt: T0 + 1,
        body: '{}',
      };
      await store().recordBelvoWebhooks([full, bare]);
      expect(await store().listBelvoWebhooks({ environment: 'production' })).toEqual([full]);
      const [got] = await store().listBelvoWebhooks({ environment: 'sandbox' });
      expect(got).toEqual(bare);
      expect(got && 'linkId' in got).toBe(false);
    });

    it('keeps the same webhook_id apart in two environments', async () => {
      const id = webhookId();
      const res = await store().recordBelvoWebhooks([
        webhook({ webhookId: id }),
        webhook({ webhookId: id, environment: 'sandbox' }),
      ]);
      expect(res.outcomes).toEqual(['inserted', 'inserted']);
    });

    it('lists newest first, filtered by environment, time, type and code, and limited', async () => {
      await store().recordBelvoWebhooks([
        webhook({ receivedAt: T0 }),
        webhook({ receivedAt: T0 + 10, type: 'TRANSACTIONS', code: 'new_transactions_available' }),
        linkEvent('l-1', 'token_required', T0 + 20),
        webhook({ receivedAt: T0 + 30, environment: 'sandbox' }),
      ]);
      const times = (ws: BelvoWebhookRecord[]) => ws.map((w) => w.receivedAt - T0);
      expect(times(await store().listBelvoWebhooks())).toEqual([30, 20, 10, 0]);
      expect(times(await store().listBelvoWebhooks({ environment: 'production' }))).toEqual([20, 10, 0]);
      expect(times(await store().listBelvoWebhooks({ environment: 'production', since: T0 + 10 }))).toEqual([20, 10]);
      expect(times(await store().listBelvoWebhooks({ type: 'LINK' }))).toEqual([20]);
      expect(times(await store().listBelvoWebhooks({ code: 'historical_update' }))).toEqual([30, 0]);
      expect(times(await store().listBelvoWebhooks({ limit: 2 }))).toEqual([30, 20]);
    });

    it('tells when the last webhook of an environment arrived', async () => {
      expect(await store().lastBelvoWebhookAt('production')).toBeUndefined();
      await store().recordBelvoWebhooks([webhook({ receivedAt: T0 + 7 }), webhook({ receivedAt: T0 + 3 })]);
      expect(await store().lastBelvoWebhookAt('production')).toBe(T0 + 7);
      expect(await store().lastBelvoWebhookAt('sandbox')).toBeUndefined();
    });

    it('stores nothing of a batch that fails part-way', async () => {
      const broken = { ...webhook(), body: null } as unknown as BelvoWebhookRecord;
      await expect(
        store().recordBelvoWebhooks([webhook(), linkEvent('l-1', 'token_required', T0), broken]),
      ).rejects.toThrow();
      expect(await store().listBelvoWebhooks()).toEqual([]);
      expect(await store().getBelvoLink('production', 'l-1')).toBeUndefined();
    });
  });

  describe('link status from LINK webhooks', () => {
    it('token_required and invalid_credentials set the status and record a transition each time it changes', async () => {
      const res = await store().recordBelvoWebhooks([linkEvent('l-1', 'token_required', T0)]);
      expect(res.linkTransitions).toBe(1);
      expect(await store().getBelvoLink('production', 'l-1')).toEqual({
        environment: 'production',
        linkId: 'l-1',
        status: 'token_required',
        externalId: 'customer-881',
        statusChangedAt: T0,
        lastEventAt: T0,
      });

      // Belvo repeats token_required while the link stays in it: one transition, not a spike.
      const again = await store().recordBelvoWebhooks([linkEvent('l-1', 'token_required', T0 + 1000)]);
      expect(again.linkTransitions).toBe(0);
      expect(await store().getBelvoLink('production', 'l-1')).toMatchObject({
        statusChangedAt: T0,
        lastEventAt: T0 + 1000,
      });

      await store().recordBelvoWebhooks([
        linkEvent('l-1', 'invalid_credentials', T0 + 2000, { externalId: undefined }),
      ]);
      expect(await store().getBelvoLink('production', 'l-1')).toMatchObject({
        status: 'invalid',
        externalId: 'customer-881',
        statusChangedAt: T0 + 2000,
      });

      const tokens = await store().linkEvents({ environment: 'production', code: 'token_required', since: T0 });
      expect(tokens).toHaveLength(1);
      expect(tokens[0]).toMatchObject({ linkId: 'l-1', status: 'token_required', source: 'webhook', at: T0 });
      expect(tokens[0] && 'institution' in tokens[0]).toBe(false);
      const invalids = await store().linkEvents({ environment: 'production', code: 'invalid_credentials', since: T0 });
      expect(invalids.map((e) => [e.linkId, e.status, e.at])).toEqual([['l-1', 'invalid', T0 + 2000]]);
    });

    it('one batch changing a link several times is applied in order, as the same webhooks one by one would be', async () => {
      const res = await store().recordBelvoWebhooks([
        linkEvent('l-2', 'token_required', T0),
        linkEvent('l-3', 'token_required', T0 + 500, { externalId: 'customer-3' }),
        linkEvent('l-2', 'token_required', T0 + 1000),
        linkEvent('l-2', 'invalid_credentials', T0 + 2000, { externalId: undefined }),
      ]);
      expect(res.linkTransitions).toBe(3);
      expect(await store().getBelvoLink('production', 'l-2')).toEqual({
        environment: 'production',
        linkId: 'l-2',
        status: 'invalid',
        externalId: 'customer-881',
        statusChangedAt: T0 + 2000,
        lastEventAt: T0 + 2000,
      });
      expect(await store().getBelvoLink('production', 'l-3')).toMatchObject({
        status: 'token_required',
        externalId: 'customer-3',
        statusChangedAt: T0 + 500,
      });
      const events = [
        ...(await store().linkEvents({ environment: 'production', code: 'token_required', since: T0 })),
        ...(await store().linkEvents({ environment: 'production', code: 'invalid_credentials', since: T0 })),
      ];
      expect(events.map((e) => [e.linkId, e.status, e.at]).sort()).toEqual([
        ['l-2', 'invalid', T0 + 2000],
        ['l-2', 'token_required', T0],
        ['l-3', 'token_required', T0 + 500],
      ]);
    });

    it('a repeated webhook_id changes no link state', async () => {
      const event = linkEvent('l-1', 'token_required', T0);
      await store().recordBelvoWebhooks([event]);
      await store().recordBelvoWebhooks([{ ...event, code: 'invalid_credentials', receivedAt: T0 + 5000 }]);
      expect(await store().getBelvoLink('production', 'l-1')).toMatchObject({
        status: 'token_required',
        lastEventAt: T0,
      });
    });

    it('other LINK codes, other types and events without a link id are stored but change no link', async () => {
      await store().recordBelvoWebhooks([
        linkEvent('l-1', 'link_created_someday', T0),
        webhook({ type: 'TRANSACTIONS', code: 'token_required', linkId: 'l-2' }),
        linkEvent('l-3', 'token_required', T0, { linkId: undefined }),
      ]);
      expect(await store().listBelvoWebhooks()).toHaveLength(3);
      expect(await store().linkStatusCounts('production')).toEqual([]);
      expect(await store().getBelvoLink('production', 'l-1')).toBeUndefined();
    });
  });

  describe('link status from reconciliation', () => {
    it('finds users linked more than once at one institution (same institution_user_id)', async () => {
      const user = (c: string) => c.repeat(44);
      await store().upsertLinks(
        'production',
        [
          { id: 'a1', status: 'valid', institution: 'erebor_mx_retail', institutionUserId: user('a') },
          { id: 'a2', status: 'valid', institution: 'erebor_mx_retail', institutionUserId: user('a') },
          { id: 'a3', status: 'invalid', institution: 'erebor_mx_retail', institutionUserId: user('a') },
          { id: 'b1', status: 'valid', institution: 'erebor_mx_retail', institutionUserId: user('b') },
          { id: 'b2', status: 'valid', institution: 'gondor_co_retail', institutionUserId: user('b') },
          { id: 'c1', status: 'valid', institution: 'erebor_mx_retail' },
          { id: 'c2', status: 'valid', institution: 'erebor_mx_retail' },
        ],
        T0,
      );
      expect(await store().duplicateLinks('production')).toEqual([
        { institution: 'erebor_mx_retail', institutionUserId: user('a'), count: 3 },
      ]);
      expect(await store().duplicateLinks('sandbox')).toEqual([]);
    });

    it('fills the institution of known links and their earlier events; later events get it when written', async () => {
      await store().recordBelvoWebhooks([linkEvent('l-1', 'token_required', T0)]);
      await store().upsertLinks(
        'production',
        [{ id: 'l-1', status: 'token_required', institution: 'erebor_mx_retail', institutionUserId: 'u'.repeat(44) }],
        T0 + 100,
      );
      expect(await store().getBelvoLink('production', 'l-1')).toMatchObject({
        institution: 'erebor_mx_retail',
        institutionUserId: 'u'.repeat(44),
        externalId: 'customer-881',
        statusChangedAt: T0,
        reconciledAt: T0 + 100,
      });
      await store().recordBelvoWebhooks([linkEvent('l-1', 'invalid_credentials', T0 + 200)]);
      const all = [
        ...(await store().linkEvents({ environment: 'production', code: 'token_required', since: 0 })),
        ...(await store().linkEvents({ environment: 'production', code: 'invalid_credentials', since: 0 })),
      ];
      expect(all.map((e) => [e.code, e.institution])).toEqual([
        ['token_required', 'erebor_mx_retail'],
        ['invalid_credentials', 'erebor_mx_retail'],
      ]);
    });

    it('counts links by institution and status', async () => {
      await store().upsertLinks(
        'production',
        [
          { id: 'a', status: 'valid', institution: 'erebor_mx_retail' },
          { id: 'b', status: 'valid', institution: 'erebor_mx_retail' },
          { id: 'c', status: 'token_required', institution: 'erebor_mx_retail' },
          { id: 'd', status: 'invalid', institution: 'gringotts_co_retail' },
        ],
        T0,
      );
      await store().recordBelvoWebhooks([linkEvent('new-link', 'token_required', T0 + 1)]);
      await store().upsertLinks('sandbox', [{ id: 'a', status: 'valid', institution: 'x' }], T0);
      expect(await store().linkStatusCounts('production')).toEqual(
        expect.arrayContaining([
          { institution: 'erebor_mx_retail', status: 'valid', count: 2 },
          { institution: 'erebor_mx_retail', status: 'token_required', count: 1 },
          { institution: 'gringotts_co_retail', status: 'invalid', count: 1 },
          { institution: null, status: 'token_required', count: 1 },
        ]),
      );
      expect(await store().linkStatusCounts('production')).toHaveLength(4);
    });

    it('records a transition for a known link only, and lets a webhook newer than the listing win', async () => {
      // First sight: history, not transitions.
      const first = await store().upsertLinks(
        'production',
        [
          { id: 'a', status: 'token_required', institution: 'erebor_mx_retail' },
          { id: 'b', status: 'valid', institution: 'erebor_mx_retail' },
        ],
        T0,
      );
      expect(first.statusChanges).toBe(0);
      expect(await store().linkEvents({ environment: 'production', code: 'token_required', since: 0 })).toEqual([]);

      // b went token_required without a webhook (the sandbox sends none): the listing is the one to notice.
      const second = await store().upsertLinks(
        'production',
        [{ id: 'b', status: 'token_required', institution: 'erebor_mx_retail' }],
        T0 + 60_000,
      );
      expect(second.statusChanges).toBe(1);
      expect(await store().linkEvents({ environment: 'production', code: 'token_required', since: 0 })).toEqual([
        {
          environment: 'production',
          linkId: 'b',
          code: 'token_required',
          status: 'token_required',
          institution: 'erebor_mx_retail',
          source: 'reconciliation',
          at: T0 + 60_000,
          stillInStatus: true,
        },
      ]);

      // A listing fetched before an invalid_credentials webhook arrived must not put the link back to valid.
      await store().recordBelvoWebhooks([linkEvent('b', 'invalid_credentials', T0 + 120_000)]);
      await store().upsertLinks('production', [{ id: 'b', status: 'valid' }], T0 + 119_000);
      expect(await store().getBelvoLink('production', 'b')).toMatchObject({
        status: 'invalid',
        institution: 'erebor_mx_retail',
      });
      // A later listing does.
      await store().upsertLinks('production', [{ id: 'b', status: 'valid' }], T0 + 180_000);
      expect(await store().getBelvoLink('production', 'b')).toMatchObject({
        status: 'valid',
        statusChangedAt: T0 + 180_000,
      });
      // Its token_required event stays, no longer affecting it (a spike resolves when its links recover).
      const [event] = await store().linkEvents({ environment: 'production', code: 'token_required', since: 0 });
      expect(event).toMatchObject({ linkId: 'b', stillInStatus: false });
    });
  });

  describe('applying a large listing', () => {
    it('lets the event loop run while it writes a page of 1,000 links, and stores every one', async () => {
      const links = Array.from({ length: 1000 }, (_, i) => ({
        id: `big-${i}`,
        status: 'valid',
        institution: 'erebor_mx_retail',
      }));
      let turns = 0;
      let done = false;
      const spin = (): void => {
        if (done) return;
        turns++;
        setImmediate(spin);
      };
      setImmediate(spin);
      await store().upsertLinks('production', links, T0);
      done = true;
      expect(turns).toBeGreaterThanOrEqual(2);
      expect(await store().linkStatusCounts('production')).toEqual([
        { institution: 'erebor_mx_retail', status: 'valid', count: 1000 },
      ]);
    });
  });

  describe('links Belvo no longer lists', () => {
    const present = async (env = 'production') =>
      Object.fromEntries(
        (await store().linkStatusCounts(env)).map((c) => [`${c.institution ?? '?'}/${c.status}`, c.count]),
      );

    it('marks what a complete listing did not name as gone: out of the counts, the row kept', async () => {
      await store().upsertLinks(
        'production',
        [
          { id: 'a', status: 'valid', institution: 'erebor_mx_retail' },
          { id: 'b', status: 'valid', institution: 'erebor_mx_retail' },
          { id: 'c', status: 'invalid', institution: 'erebor_mx_retail' },
        ],
        T0,
      );
      // A webhook about a link this account's listing will never show, and one about c before it was deleted.
      await store().recordBelvoWebhooks([
        linkEvent('stranger', 'token_required', T0 + 10),
        linkEvent('c', 'token_required', T0 + 20),
      ]);
      await store().upsertLinks('sandbox', [{ id: 'z', status: 'valid', institution: 'x' }], T0);
      expect(await present()).toEqual({
        'erebor_mx_retail/valid': 2,
        'erebor_mx_retail/token_required': 1,
        '?/token_required': 1,
      });

      // The next listing names a and b only (c was deleted); a webhook about a new link arrives while it runs.
      const listedAt = T0 + 60_000;
      await store().upsertLinks(
        'production',
        [
          { id: 'a', status: 'valid', institution: 'erebor_mx_retail' },
          { id: 'b', status: 'valid', institution: 'erebor_mx_retail' },
        ],
        listedAt,
      );
      await store().recordBelvoWebhooks([linkEvent('newcomer', 'token_required', listedAt + 500)]);
      expect(await store().markLinksGone('production', listedAt)).toEqual({ gone: 2 });

      expect(await present()).toEqual({ 'erebor_mx_retail/valid': 2, '?/token_required': 1 });
      expect(await store().getBelvoLink('production', 'c')).toMatchObject({
        status: 'token_required',
        institution: 'erebor_mx_retail',
        goneAt: listedAt,
      });
      expect(await store().getBelvoLink('production', 'stranger')).toMatchObject({ goneAt: listedAt });
      expect(await store().getBelvoLink('production', 'newcomer')).not.toHaveProperty('goneAt');
      expect(await store().getBelvoLink('production', 'a')).not.toHaveProperty('goneAt');
      // Another environment is another account view: untouched.
      expect(await present('sandbox')).toEqual({ 'x/valid': 1 });
      // The transitions that happened stay history.
      const events = await store().linkEvents({ environment: 'production', code: 'token_required', since: 0 });
      expect(events.map((e) => e.linkId)).toEqual(['stranger', 'c', 'newcomer']);
      // A link Belvo no longer has is not one still waiting to be reconnected.
      expect(events.map((e) => e.stillInStatus)).toEqual([false, false, true]);
      // Marking again changes nothing.
      expect(await store().markLinksGone('production', listedAt)).toEqual({ gone: 0 });
    });

    it('brings a gone link back when a webhook or a listing names it again', async () => {
      await store().upsertLinks(
        'production',
        [
          { id: 'a', status: 'valid', institution: 'erebor_mx_retail' },
          { id: 'b', status: 'valid', institution: 'erebor_mx_retail' },
        ],
        T0,
      );
      await store().upsertLinks('production', [], T0 + 1000);
      expect(await store().markLinksGone('production', T0 + 1000)).toEqual({ gone: 2 });
      expect(await present()).toEqual({});

      await store().recordBelvoWebhooks([linkEvent('a', 'token_required', T0 + 2000)]);
      await store().upsertLinks(
        'production',
        [{ id: 'b', status: 'valid', institution: 'erebor_mx_retail' }],
        T0 + 3000,
      );
      expect(await present()).toEqual({ 'erebor_mx_retail/token_required': 1, 'erebor_mx_retail/valid': 1 });
      expect(await store().getBelvoLink('production', 'a')).not.toHaveProperty('goneAt');
      expect(await store().getBelvoLink('production', 'b')).not.toHaveProperty('goneAt');
    });

    it('marks gone exactly the links a large listing left out, wherever they sort', async () => {
      // More links than one step of the store's work: the ones left out sit at the start, the middle and the end.
      const ids = Array.from({ length: 12_001 }, (_, i) => `link-${String(i).padStart(5, '0')}`);
      const all = ids.map((id) => ({ id, status: 'valid', institution: 'erebor_mx_retail' }));
      await store().upsertLinks('production', all, T0);
      const left = new Set([ids[0], ids[5000], ids[5001], ids[9999], ids[12_000]]);
      await store().upsertLinks(
        'production',
        all.filter((l) => !left.has(l.id)),
        T0 + 1000,
      );
      expect(await store().markLinksGone('production', T0 + 1000)).toEqual({ gone: 5 });
      expect(await present()).toEqual({ 'erebor_mx_retail/valid': 11_996 });
      for (const id of left) {
        expect(await store().getBelvoLink('production', id!)).toMatchObject({ goneAt: T0 + 1000 });
      }
      expect(await store().getBelvoLink('production', ids[5002]!)).not.toHaveProperty('goneAt');
    });

    it('applies a link listed twice in one listing as the later entry says', async () => {
      await store().upsertLinks('production', [{ id: 'a', status: 'valid', institution: 'erebor_mx_retail' }], T0);
      const { statusChanges } = await store().upsertLinks(
        'production',
        [
          { id: 'a', status: 'valid', institution: 'erebor_mx_retail' },
          { id: 'a', status: 'token_required', institution: 'erebor_mx_retail' },
          { id: 'a', status: 'token_required', institution: 'erebor_mx_retail' },
        ],
        T0 + 1000,
      );
      expect(statusChanges).toBe(1);
      expect(await store().getBelvoLink('production', 'a')).toMatchObject({
        status: 'token_required',
        statusChangedAt: T0 + 1000,
        reconciledAt: T0 + 1000,
      });
      const events = await store().linkEvents({ environment: 'production', code: 'token_required', since: 0 });
      expect(events.map((e) => [e.linkId, e.source])).toEqual([['a', 'reconciliation']]);
    });

    it('leaves gone links out of the duplicates', async () => {
      const user = 'u'.repeat(44);
      await store().upsertLinks(
        'production',
        [
          { id: 'a', status: 'valid', institution: 'erebor_mx_retail', institutionUserId: user },
          { id: 'b', status: 'valid', institution: 'erebor_mx_retail', institutionUserId: user },
        ],
        T0,
      );
      expect(await store().duplicateLinks('production')).toHaveLength(1);
      await store().upsertLinks(
        'production',
        [{ id: 'a', status: 'valid', institution: 'erebor_mx_retail', institutionUserId: user }],
        T0 + 1000,
      );
      await store().markLinksGone('production', T0 + 1000);
      expect(await store().duplicateLinks('production')).toEqual([]);
    });
  });

  describe('link event counts (spike detection)', () => {
    it('counts transitions per institution within [since, until)', async () => {
      await store().upsertLinks(
        'production',
        ['a', 'b', 'c', 'd'].map((id) => ({
          id,
          status: 'valid',
          institution: id === 'd' ? 'gringotts_co_retail' : 'erebor_mx_retail',
        })),
        T0 - 1,
      );
      await store().recordBelvoWebhooks([
        linkEvent('a', 'token_required', T0),
        linkEvent('b', 'token_required', T0 + 10),
        linkEvent('c', 'token_required', T0 + 20),
        linkEvent('d', 'token_required', T0 + 20),
        linkEvent('unknown', 'token_required', T0 + 30),
        linkEvent('a', 'invalid_credentials', T0 + 40),
      ]);
      const q = { environment: 'production', code: 'token_required' as const };
      expect(await store().linkEventCounts({ ...q, since: T0 })).toEqual([
        { institution: 'erebor_mx_retail', count: 3 },
        { institution: null, count: 1 },
        { institution: 'gringotts_co_retail', count: 1 },
      ]);
      expect(await store().linkEventCounts({ ...q, since: T0 + 10, until: T0 + 20 })).toEqual([
        { institution: 'erebor_mx_retail', count: 1 },
      ]);
      expect(await store().linkEventCounts({ ...q, environment: 'sandbox', since: 0 })).toEqual([]);
      expect(await store().linkEventCounts({ ...q, code: 'invalid_credentials', since: 0 })).toEqual([
        { institution: 'erebor_mx_retail', count: 1 },
      ]);
    });
  });
}
