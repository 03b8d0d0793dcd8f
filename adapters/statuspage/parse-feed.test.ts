import { describe, expect, it } from 'vitest';
import { fixture } from '../../test/fixtures/statuspage/load.js';
import { htmlToText, parseAtom, parseFeed, parseRss } from './parse-feed.js';
import {
  parseIncidents,
  parseMaintenances,
  parseSummary,
  StatusPageFormatError,
  snapshotFromJson,
} from './parse-json.js';

const at = (iso: string) => new Date(iso).getTime();
const MINUTE = 60_000;

function block(small: string, status: string, text: string): string {
  return `<p><small>${small}</small><br><strong>${status}</strong> - ${text}</p>`;
}

const esc = (html: string) => html.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function rss(items: { link?: string; guid?: string; pubDate?: string; title?: string; html: string }[]): string {
  const body = items
    .map(
      (i) =>
        `<item><title>${i.title ?? 'Incident'}</title><description>${esc(i.html)}</description>` +
        (i.pubDate ? `<pubDate>${i.pubDate}</pubDate>` : '') +
        (i.link ? `<link>${i.link}</link>` : '') +
        (i.guid ? `<guid>${i.guid}</guid>` : '') +
        '</item>',
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>P - Incident History</title><link>https://p.example</link>${body}</channel></rss>`;
}

describe('parseRss on the fixture', async () => {
  const snapshot = await parseRss(fixture('history.rss'));

  it('identifies incidents by the JSON id taken from the link', () => {
    expect(snapshot.incidents.map((i) => i.id)).toEqual(['n4njzfn1mqy0', 'r7t9v2b5c1xq', 'p0stm0rtem01']);
    expect(snapshot.incidents[0]?.url).toBe('https://institutions.belvo.com/incidents/n4njzfn1mqy0');
    expect(snapshot.page).toEqual({ name: 'Belvo Institutions Status', url: 'https://institutions.belvo.com' });
  });

  it('puts maintenance items in maintenances, with their window', () => {
    expect(snapshot.maintenances.map((m) => [m.id, m.status, m.impact])).toEqual([
      ['k8m2x0qz7d4p', 'in_progress', 'maintenance'],
    ]);
    expect(snapshot.maintenances[0]?.scheduledFor).toBe(at('2025-02-18T14:00:00Z'));
    expect(snapshot.maintenances[0]?.scheduledUntil).toBe(at('2025-02-18T16:00:00Z'));
  });

  it('reads every update block newest first (with and without <var> tags)', () => {
    const withVar = snapshot.incidents[1]!;
    expect(withVar.updates.map((u) => [u.status, u.at])).toEqual([
      ['resolved', at('2025-01-01T08:20:00Z')],
      ['monitoring', at('2025-01-01T07:40:00Z')],
      ['identified', at('2025-01-01T06:15:00Z')],
      ['investigating', at('2025-01-01T05:50:00Z')],
    ]);
    const withoutVar = snapshot.incidents[0]!;
    expect(withoutVar.updates.map((u) => [u.status, u.at])).toEqual([
      ['update', at('2025-02-18T17:10:00Z')],
      ['identified', at('2025-02-18T16:41:00Z')],
      ['investigating', at('2025-02-18T16:02:00Z')],
    ]);
  });

  it('decodes bodies to plain text', () => {
    expect(snapshot.incidents[0]?.updates[1]?.body).toBe(
      "The issue has been identified on the institution's side: logins are slow & some time out.",
    );
  });

  it('derives stable update ids from incident, status and time', () => {
    expect(snapshot.incidents[1]?.updates[0]?.id).toBe('r7t9v2b5c1xq:resolved:2025-01-01T08:20:00.000Z');
    expect(snapshot.maintenances[0]?.updates.map((u) => u.id)).toEqual([
      'k8m2x0qz7d4p:in_progress:2025-02-18T14:00:00.000Z',
      'k8m2x0qz7d4p:scheduled:2025-02-11T18:00:00.000Z',
    ]);
  });

  it('keeps the previous open status when the newest block is an Update', () => {
    expect(snapshot.incidents.map((i) => i.status)).toEqual(['identified', 'resolved', 'postmortem']);
  });

  it('sets created and resolved times from the blocks', () => {
    const resolved = snapshot.incidents[1]!;
    expect(resolved.createdAt).toBe(at('2025-01-01T05:50:00Z'));
    expect(resolved.resolvedAt).toBe(at('2025-01-01T08:20:00Z'));
    expect(snapshot.incidents[0]?.resolvedAt).toBeUndefined();
  });

  it('is a window: no components, never complete', () => {
    expect(snapshot.components).toBeUndefined();
    expect(snapshot.incidentsComplete).toBe(false);
    expect(snapshot.maintenancesComplete).toBe(false);
  });
});

describe('one incident, three feeds', async () => {
  const fromRss = await parseRss(fixture('history.rss'));
  const fromAtom = await parseAtom(fixture('history.atom'));
  const fromJson = snapshotFromJson({
    summary: parseSummary(fixture('summary.json')),
    incidents: parseIncidents(fixture('incidents.json')),
    maintenances: parseMaintenances(fixture('scheduled-maintenances.json')),
  });

  it('Atom takes identity from the alternate link, not from its <id> number', () => {
    expect(fixture('history.atom')).toContain('tag:institutions.belvo.com,2005:Incident/24713302');
    expect(fromAtom.incidents.map((i) => i.id)).toEqual(['n4njzfn1mqy0', 'r7t9v2b5c1xq', 'p0stm0rtem01']);
    expect(fromAtom).toEqual(fromRss);
  });

  it('RSS, Atom and JSON give the same ids, statuses and update times (to the minute)', () => {
    for (const feed of [fromRss, fromAtom]) {
      expect(feed.incidents.map((i) => [i.id, i.status])).toEqual(fromJson.incidents.map((i) => [i.id, i.status]));
      for (const incident of feed.incidents) {
        const json = fromJson.incidents.find((i) => i.id === incident.id)!;
        expect(incident.updates.map((u) => [u.status, u.at])).toEqual(
          json.updates.map((u) => [u.status, Math.floor(u.at / MINUTE) * MINUTE]),
        );
      }
      const jsonMaintenance = fromJson.maintenances.find((m) => m.id === 'k8m2x0qz7d4p')!;
      expect(feed.maintenances[0]?.status).toBe(jsonMaintenance.status);
    }
  });
});

describe('parseFeed edge cases', () => {
  it('falls back to the Atom <id> only when there is no link', async () => {
    const xml = `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry><id>tag:p.example,2005:Incident/77</id><published>2025-02-18T09:10:42-08:00</published><title>x</title><content type="html">${esc(block('Feb 18, 09:10 PST', 'Investigating', 'hi'))}</content></entry></feed>`;
    const snapshot = await parseAtom(xml);
    expect(snapshot.incidents.map((i) => i.id)).toEqual(['tag:p.example,2005:Incident/77']);
  });

  it('takes identity from the guid when the link is missing', async () => {
    const snapshot = await parseRss(
      rss([{ guid: 'https://p.example/incidents/abc123', pubDate: 'Tue, 18 Feb 2025 09:10:42 -0800', html: '' }]),
    );
    expect(snapshot.incidents.map((i) => i.id)).toEqual(['abc123']);
    expect(snapshot.incidents[0]?.status).toBe('investigating');
  });

  it('an incident made only of Update blocks is investigating', async () => {
    const html = block('Feb 18, 09:10 PST', 'Update', 'b') + block('Feb 18, 09:00 PST', 'Update', 'a');
    const snapshot = await parseRss(
      rss([{ link: 'https://p.example/incidents/u1', pubDate: 'Tue, 18 Feb 2025 09:10:42 -0800', html }]),
    );
    expect(snapshot.incidents[0]?.status).toBe('investigating');
    expect(snapshot.incidents[0]?.updates.map((u) => u.status)).toEqual(['update', 'update']);
  });

  it('uses the item date when the small date cannot be read, with ids that survive a new update', async () => {
    const older = block('sometime', 'Identified', 'b') + block('earlier', 'Investigating', 'a');
    const newer = block('later', 'Resolved', 'c') + older;
    const item = { link: 'https://p.example/incidents/q1', pubDate: 'Tue, 18 Feb 2025 09:10:42 -0800' };
    const first = await parseRss(rss([{ ...item, html: older }]));
    const second = await parseRss(rss([{ ...item, html: newer }]));
    expect(first.incidents[0]?.updates.map((u) => u.at)).toEqual([
      at('2025-02-18T17:10:42Z'),
      at('2025-02-18T17:10:42Z'),
    ]);
    const firstIds = first.incidents[0]!.updates.map((u) => u.id);
    expect(firstIds).toEqual(['q1:identified:#1', 'q1:investigating:#0']);
    expect(second.incidents[0]?.updates.slice(1).map((u) => u.id)).toEqual(firstIds);
    expect(second.incidents[0]?.status).toBe('resolved');
  });

  it('gives two same-minute updates of the same status distinct ids', async () => {
    const html = block('Feb 18, 09:10 UTC', 'Update', 'b') + block('Feb 18, 09:10 UTC', 'Update', 'a');
    const snapshot = await parseRss(
      rss([{ link: 'https://p.example/incidents/d1', pubDate: 'Tue, 18 Feb 2025 09:11:00 +0000', html }]),
    );
    const ids = snapshot.incidents[0]!.updates.map((u) => u.id);
    expect(new Set(ids).size).toBe(2);
  });

  it('reads an unknown zone abbreviation at the offset of the item date', async () => {
    const html = block('Feb 18, 09:10 XYZT', 'Investigating', 'a');
    const snapshot = await parseRss(
      rss([{ link: 'https://p.example/incidents/z1', pubDate: 'Tue, 18 Feb 2025 09:12:00 -0300', html }]),
    );
    expect(snapshot.incidents[0]?.updates[0]?.at).toBe(at('2025-02-18T12:10:00Z'));
  });

  it('reads numeric zone abbreviations and 12-hour times', async () => {
    const html = block('Feb 18, 2025, 9:10 PM -03', 'Investigating', 'a');
    const snapshot = await parseRss(
      rss([{ link: 'https://p.example/incidents/z2', pubDate: 'Wed, 19 Feb 2025 00:12:00 +0000', html }]),
    );
    expect(snapshot.incidents[0]?.updates[0]?.at).toBe(at('2025-02-19T00:10:00Z'));
  });

  it('survives a garbage Atom <published> by using <updated>', async () => {
    const xml = `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry><id>tag:p,2005:Incident/1</id><published>garbage</published><updated>2025-02-18T09:10:42-08:00</updated><link rel="alternate" href="https://p.example/incidents/g1"/><title>x</title><content type="html">${esc(block('nope', 'Investigating', 'a'))}</content></entry></feed>`;
    const snapshot = await parseAtom(xml);
    expect(snapshot.incidents[0]?.id).toBe('g1');
    expect(snapshot.incidents[0]?.updates[0]?.at).toBe(at('2025-02-18T17:10:42Z'));
  });

  it('reads the title as text, not HTML', async () => {
    const snapshot = await parseRss(
      rss([{ link: 'https://p.example/incidents/t1', title: 'Slow &amp; &lt;b&gt;odd&lt;/b&gt;', html: '' }]),
    );
    expect(snapshot.incidents[0]?.name).toBe('Slow & <b>odd</b>');
  });

  it('accepts the other format than the one asked for', async () => {
    const snapshot = await parseFeed(fixture('history.atom'), 'rss');
    expect(snapshot.incidents).toHaveLength(3);
  });
});

describe('htmlToText', () => {
  it.each([
    ['a<br>b<br/>c', 'a\nb\nc'],
    ['Banco&nbsp;Y&#39;s &amp; Co', "Banco Y's & Co"],
    ['Conex&atilde;o &eacute; lenta &ndash; ok', 'Conexão é lenta – ok'],
    ['&#x1F600; &#8212;', '\u{1F600} \u2014'],
    ['&lt;b&gt;not a tag&lt;/b&gt;', '<b>not a tag</b>'],
    ['<a href="https://x">link</a> &unknown;', 'link &unknown;'],
  ])('%s', (html, text) => {
    expect(htmlToText(html)).toBe(text);
  });
});

describe('malformed feeds', () => {
  const secret = 'S3CRET-BODY-MARKER-'.repeat(20);

  it.each([
    ['JSON', JSON.stringify({ components: [], note: secret })],
    ['an HTML page', `<!DOCTYPE html><html><head><title>Oops</title></head><body>${secret}</body></html>`],
    ['truncated XML', fixture('history.rss').slice(0, 700)],
    ['empty', ''],
    ['plain text', secret],
  ])('%s -> malformed with a short reason', async (_name, body) => {
    const error = await parseRss(body).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StatusPageFormatError);
    expect((error as StatusPageFormatError).code).toBe('malformed');
    expect((error as StatusPageFormatError).message.length).toBeLessThan(160);
    expect((error as StatusPageFormatError).message).not.toContain('S3CRET');
  });
});
