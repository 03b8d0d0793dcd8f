// The web page at its target size: 1,000 institutions and 30 days of history, served by the bot's own HTTP server
// on 127.0.0.1. Server time is what the route reports in its Server-Timing header (read the store, build the views,
// render the HTML; compression not included); bytes are what crosses the wire, without and with gzip.

import { HttpServer } from '../../src/http/server.js';
import { silentLogger } from '../../src/ports/logger.js';
import { ChangeFeed } from '../../src/web/change-feed.js';
import { mountWebPage } from '../../src/web/routes.js';
import { type Summary, summarize } from './stats.js';
import { buildWebFixture, WEB_DAYS, WEB_INSTITUTIONS, WEB_LINKS } from './web-fixtures.js';

export interface WebPageResult {
  /** After a change: the alerts are read from the store again (the figure the target is about). */
  server: Summary;
  /** Nothing changed since the last load: the alerts read for it are reused (other open pages, a reload). */
  warm: Summary;
  /** Request to last byte, as the client saw it (loopback, no gzip). */
  client: Summary;
  rawBytes: number;
  gzipBytes: number;
  incidents: number;
  institutions: number;
  links: number;
  days: number;
  /** The whole incident page of an open storm: server time median. */
  incidentServer: Summary;
}

function serverTiming(header: string | null): number {
  const m = /dur=([\d.]+)/.exec(header ?? '');
  if (!m) throw new Error(`no Server-Timing in the answer: ${header}`);
  return Number(m[1]);
}

export async function benchWebPage(options: { warmup: number; runs: number }): Promise<WebPageResult> {
  const fx = await buildWebFixture();
  const changes = new ChangeFeed();
  const http = new HttpServer({ host: '127.0.0.1', port: 0, bodyLimitBytes: 1024 * 1024, logger: silentLogger });
  mountWebPage(http.router, {
    ...fx.deps,
    clock: { now: () => fx.now },
    config: { enabled: true, basePath: '' },
    secrets: new Map(),
    changes,
    logger: silentLogger,
  });
  const { port } = await http.listen();
  const url = `http://127.0.0.1:${port}/?days=${WEB_DAYS}`;
  try {
    const server: number[] = [];
    const warm: number[] = [];
    const client: number[] = [];
    let rawBytes = 0;
    for (let i = 0; i < options.warmup + options.runs; i++) {
      // As if an alert had just changed: every open page reloads, and the first one reads the store.
      changes.changed();
      const t0 = performance.now();
      const res = await fetch(url, { headers: { 'accept-encoding': 'identity' } });
      const body = Buffer.from(await res.arrayBuffer());
      const took = performance.now() - t0;
      if (res.status !== 200) throw new Error(`the page answered ${res.status}`);
      rawBytes = body.length;
      if (i >= options.warmup) {
        server.push(serverTiming(res.headers.get('server-timing')));
        client.push(took);
        const again = await fetch(url, { headers: { 'accept-encoding': 'identity' } });
        await again.arrayBuffer();
        warm.push(serverTiming(again.headers.get('server-timing')));
      }
    }
    // Node's fetch decodes gzip itself: the size on the wire is the Content-Length it was sent with.
    const zipped = await fetch(url, { headers: { 'accept-encoding': 'gzip' } });
    const gzipBytes = Number(zipped.headers.get('content-length'));
    if (zipped.headers.get('content-encoding') !== 'gzip') throw new Error('the page was not gzipped');
    await zipped.arrayBuffer();
    const storm = (await fx.store.listAlerts({ states: ['firing'] })).find((a) => a.kind === 'bot.storm');
    const incidentServer: number[] = [];
    for (let i = 0; i < options.runs; i++) {
      const t0 = performance.now();
      const res = await fetch(`http://127.0.0.1:${port}/incidents/${storm?.id}`);
      await res.arrayBuffer();
      incidentServer.push(performance.now() - t0);
    }
    return {
      server: summarize(server),
      warm: summarize(warm),
      client: summarize(client),
      rawBytes,
      gzipBytes,
      incidents: fx.incidents,
      institutions: WEB_INSTITUTIONS,
      links: WEB_LINKS,
      days: WEB_DAYS,
      incidentServer: summarize(incidentServer),
    };
  } finally {
    await http.close();
    await fx.dispose();
  }
}
