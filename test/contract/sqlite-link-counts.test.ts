// The SQLite store keeps link counts per (institution, status) in their own table (migration 9): a spike check after
// each webhook batch then reads one row per institution, never the 100,000 links of a large account.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareBelvoStatements } from '../../adapters/sqlite/belvo-links-store.js';
import { applyMigrations, MIGRATIONS } from '../../adapters/sqlite/migrations.js';
import { createSqliteStore } from '../../adapters/sqlite/sqlite-store.js';
import type { BelvoWebhookRecord } from '../../src/ports/belvo-links.js';
import { T0 } from './alert-factory.js';

const tmpRoot = mkdtempSync(join(tmpdir(), 'belvo-link-counts-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));

let n = 0;
function linkWebhook(linkId: string, code: string, at: number): BelvoWebhookRecord {
  n++;
  const webhookId = n.toString(16).padStart(32, 'a');
  return {
    environment: 'production',
    webhookId,
    type: 'LINK',
    code,
    linkId,
    receivedAt: at,
    body: JSON.stringify({ webhook_id: webhookId, webhook_type: 'LINK', webhook_code: code, link_id: linkId }),
  };
}

/** What the counts must be: every present link counted, straight from the links table. */
function countedFromLinks(db: BetterSqlite3.Database) {
  return db
    .prepare(
      `SELECT institution, status, COUNT(*) AS count FROM belvo_links WHERE environment = 'production'
       AND gone_at IS NULL GROUP BY institution, status ORDER BY institution, status`,
    )
    .all();
}

describe('SQLite link counts', () => {
  it('stay equal to a count over the links through webhooks, listings, gone marks and deletions', async () => {
    const path = join(tmpRoot, 'mixed.db');
    const store = createSqliteStore({ path, clock: { now: () => T0 } });
    await store.init();
    const institutions = ['erebor_mx_retail', 'gringotts_co_retail', 'ofelia_br_business'];
    const listing = (status: (i: number) => string, count = 60) =>
      Array.from({ length: count }, (_, i) => ({
        id: `link-${i}`,
        status: status(i),
        institution: institutions[i % 3]!,
      }));
    const db = new BetterSqlite3(path, { readonly: true });
    try {
      // Webhooks first (institution unknown), then listings that name the institution and change statuses.
      await store.recordBelvoWebhooks([
        linkWebhook('link-1', 'token_required', T0),
        linkWebhook('link-2', 'invalid_credentials', T0),
        linkWebhook('stranger', 'token_required', T0),
      ]);
      expect(await store.linkStatusCounts('production')).toEqual(countedFromLinks(db));
      await store.upsertLinks(
        'production',
        listing((i) => (i % 7 === 0 ? 'invalid' : 'valid')),
        T0 + 1,
      );
      expect(await store.linkStatusCounts('production')).toEqual(countedFromLinks(db));
      await store.recordBelvoWebhooks([
        linkWebhook('link-3', 'token_required', T0 + 2),
        linkWebhook('link-3', 'token_required', T0 + 3),
        linkWebhook('link-4', 'invalid_credentials', T0 + 3),
      ]);
      expect(await store.linkStatusCounts('production')).toEqual(countedFromLinks(db));
      // A shorter listing: ten links and the stranger are gone.
      await store.upsertLinks(
        'production',
        listing((i) => (i % 5 === 0 ? 'token_required' : 'valid'), 50),
        T0 + 10,
      );
      expect(await store.markLinksGone('production', T0 + 10)).toEqual({ gone: 11 });
      expect(await store.linkStatusCounts('production')).toEqual(countedFromLinks(db));
      // A webhook brings a gone link back.
      await store.recordBelvoWebhooks([linkWebhook('link-55', 'token_required', T0 + 20)]);
      expect(await store.linkStatusCounts('production')).toEqual(countedFromLinks(db));
      expect((await store.linkStatusCounts('production')).reduce((s, c) => s + c.count, 0)).toBe(51);
    } finally {
      db.close();
      await store.close();
    }
    // Rows deleted by hand (an operator's clean-up) leave the counts right too.
    const rw = new BetterSqlite3(path);
    try {
      rw.prepare("DELETE FROM belvo_links WHERE link_id IN ('link-0', 'link-1', 'link-59')").run();
      const reopened = createSqliteStore({ path });
      await reopened.init();
      expect(await reopened.linkStatusCounts('production')).toEqual(countedFromLinks(rw));
      await reopened.close();
    } finally {
      rw.close();
    }
  });

  it('are read from their own table: the query plan does not walk the links', () => {
    const db = new BetterSqlite3(':memory:');
    try {
      applyMigrations(db);
      // The very statement the store prepares for linkStatusCounts.
      const { source } = prepareBelvoStatements(db).linkStatusCounts;
      const plan = db.prepare(`EXPLAIN QUERY PLAN ${source}`).all('production') as { detail: string }[];
      expect(plan.map((p) => p.detail).join('\n')).not.toMatch(/belvo_links\b/);
    } finally {
      db.close();
    }
  });

  it('are filled from the links already stored when the migration runs on an older database', () => {
    const db = new BetterSqlite3(':memory:');
    try {
      applyMigrations(
        db,
        MIGRATIONS.filter((m) => m.version < 9),
      );
      const insert = db.prepare(
        `INSERT INTO belvo_links (environment, link_id, status, institution, status_changed_at, gone_at)
         VALUES ('production', ?, ?, ?, 0, ?)`,
      );
      insert.run('a', 'valid', 'erebor_mx_retail', null);
      insert.run('b', 'valid', 'erebor_mx_retail', null);
      insert.run('c', 'token_required', null, null);
      insert.run('d', 'valid', 'erebor_mx_retail', 5);
      applyMigrations(db);
      expect(
        db.prepare('SELECT institution, status, count FROM belvo_link_counts WHERE count > 0 ORDER BY 1, 2').all(),
      ).toEqual([
        { institution: '', status: 'token_required', count: 1 },
        { institution: 'erebor_mx_retail', status: 'valid', count: 2 },
      ]);
    } finally {
      db.close();
    }
  });
});
