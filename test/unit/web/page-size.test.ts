// The page at its target size, 1,000 institutions and 30 days of history, stays under a megabyte before any
// compression (its time is measured by `npm run bench`, not asserted here).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPageData } from '../../../src/web/page-data.js';
import { parsePageQuery } from '../../../src/web/page-query.js';
import { webPaths } from '../../../src/web/paths.js';
import { renderPage } from '../../../src/web/render/page.js';
import { buildPageView } from '../../../src/web/views/page.js';
import { buildWebFixture, WEB_INSTITUTIONS, type WebFixture } from '../../bench/web-fixtures.js';

const MB = 1_000_000;

describe('the page for 1,000 institutions and 30 days of history', () => {
  let fx: WebFixture;
  beforeAll(async () => {
    fx = await buildWebFixture();
  }, 180_000);
  afterAll(async () => {
    await fx?.dispose();
  });

  it('lists every institution and every incident of the month, in under 1 MB of HTML', async () => {
    const query = parsePageQuery(new URLSearchParams('days=30'));
    const html = renderPage(webPaths(''), buildPageView(await loadPageData(fx.deps, fx.now, 30), query), query, 0);
    const institutionsTable = html.slice(html.indexOf('id="institutions-table"'), html.indexOf('id="timeline"'));
    expect(institutionsTable.match(/<tr><th scope="row">/g)?.length).toBe(WEB_INSTITUTIONS);
    // Every incident of the month has its bar (storm members count too: they are bars on their institutions).
    expect(html.match(/<rect /g)?.length).toBeGreaterThanOrEqual(fx.incidents - 1);
    expect(Buffer.byteLength(html)).toBeLessThan(MB);
  }, 60_000);
});
