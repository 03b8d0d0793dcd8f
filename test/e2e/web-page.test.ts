// The web page in a real browser (Debian's Chromium driven by playwright-core) against the real bot, started the way
// a user starts it, on the local status-page simulator: the page shows an incident the moment the bot commits it
// (no reload: the page is told over server-sent events), the institution filter and the sort work from the keyboard,
// the timeline shows the incident's bar, its permalink opens, a component named like markup stays text, and
// web.auth closes every route. Screenshots of the views go to test-results/web-page/ (not committed).
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedPage, type SimulatedStatusPageServer, startSimulatedStatusPage } from '../fakes/statuspage.js';
import { BotProcess } from './bot-process.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SHOTS = resolve(import.meta.dirname, '../../test-results/web-page');
const EVIL = '<img src=x onerror=alert(1)>';
const USER = 'oncall';
const PASSWORD = 'correct horse battery';
/** Hang guards only: every wait below ends as soon as the page shows what it waits for. */
const GUARD = 15_000;

describe('the web page in Chromium', () => {
  let apiPage: SimulatedPage;
  let institutions: SimulatedPage;
  let servers: SimulatedStatusPageServer[] = [];
  let bot: BotProcess;
  let base: string;
  let context: BrowserContext;
  let profile: string;
  let page: Page;
  const dialogs: string[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium; .ci/run does it)`);
    }
    apiPage = new SimulatedPage({ id: 'webapi000001', name: 'Belvo API' });
    apiPage.addComponent({ name: 'API' });
    institutions = new SimulatedPage({ id: 'webinst00001', name: 'Belvo Institutions' });
    const mexico = institutions.addGroup('Mexico');
    const colombia = institutions.addGroup('Colombia');
    institutions.addComponent({ name: 'Banco Erebor MX - Retail', group: mexico, status: 'degraded_performance' });
    institutions.addComponent({ name: 'Banco Gondor CO - Retail', group: colombia, status: 'partial_outage' });
    institutions.addComponent({ name: EVIL, group: mexico, status: 'major_outage' });
    servers = [
      await startSimulatedStatusPage({ page: apiPage }),
      await startSimulatedStatusPage({ page: institutions }),
    ];
    const [api, inst] = servers.map((s) => s.url);
    bot = new BotProcess(
      (dir) => `
server: { host: 127.0.0.1, port: 0 }
storage: { path: ${dir}/state.db }
log: { level: info }
sources:
  - { id: api, type: statuspage, name: Belvo API, url: "${api}", interval: 200ms, jitter: 0, timeout: 2s }
  - { id: institutions, type: statuspage, name: Belvo institutions, url: "${inst}", role: institutions, interval: 200ms, jitter: 0, timeout: 2s }
destinations: [{ id: console, type: console }]
subscriptions: [{ destination: console }]
web:
  auth: { type: basic, username: ${USER}, password: { secretEnv: WEB_PASSWORD } }
`,
    );
    bot.start({ WEB_PASSWORD: PASSWORD });
    const started = await bot.waitForLog('belvo-status-bot started', GUARD);
    base = `http://127.0.0.1:${started.port}`;
    mkdirSync(SHOTS, { recursive: true });
    profile = mkdtempSync(join(tmpdir(), 'belvo-status-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      headless: true,
      viewport: { width: 1280, height: 900 },
      httpCredentials: { username: USER, password: PASSWORD },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await bot?.dispose();
    await Promise.all(servers.map((s) => s.close()));
  });

  it('shows what is open, a component named like markup as text, and refreshes itself when an alert opens', async () => {
    await page.goto(`${base}/`);
    const evilRow = page.locator('#institutions-table tbody tr', { hasText: EVIL });
    await evilRow.waitFor({ timeout: GUARD });
    expect(await page.locator('#institutions-table img, #open-incidents img').count()).toBe(0);
    await page.locator('#live', { hasText: /^live/ }).waitFor({ timeout: GUARD });

    // The same document must show the new incident: mark it, so a reload would show.
    await page.evaluate(() => {
      (globalThis as unknown as { sameDocument: boolean }).sameDocument = true;
    });
    const shown = page
      .locator('#open-incidents tbody tr', { hasText: 'Elevated 500s on /api/links' })
      .waitFor({ timeout: GUARD })
      .then(() => Date.now());
    const printed = bot
      .waitFor(/OPENED .*Elevated 500s on \/api\/links/, GUARD)
      .then((line) => ({ line, at: Date.now() }));
    apiPage.openIncident({ name: 'Elevated 500s on /api/links', impact: 'major', body: 'Investigating errors.' });
    const [shownAt, bot_] = await Promise.all([shown, printed]);
    expect(await page.evaluate(() => (globalThis as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    // A figure for people, not an assertion (timing on a shared machine proves nothing either way).
    writeFileSync(join(SHOTS, 'live-refresh.txt'), `shown ${shownAt - bot_.at} ms after the bot printed it\n`);
    expect(await page.locator('#headline').textContent()).toMatch(/open incidents, worst (critical|major)/);
    await page.screenshot({ path: join(SHOTS, 'main.png') });
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('filters institutions by name and by country, and sorts from the keyboard', async () => {
    const rows = page.locator('#institutions-table tbody tr:not(.group):visible');
    await page.locator('#f-q').fill('gondor');
    await expect
      .poll(() => rows.allTextContents(), { timeout: GUARD })
      .toEqual([expect.stringContaining('Banco Gondor')]);
    expect(new URL(page.url()).searchParams.get('q')).toBe('gondor');
    // The timeline and the incident list follow the same filter.
    expect(await page.locator('#timeline tbody tr:visible').allTextContents()).toEqual([
      expect.stringContaining('Banco Gondor'),
    ]);

    await page.locator('#f-q').fill('');
    await page.locator('#f-country').selectOption('MX');
    await expect
      .poll(
        async () =>
          (await rows.allTextContents())
            .map((t) => (t.includes('Erebor') ? 'Erebor' : t.includes(EVIL) ? 'evil' : t))
            .sort(),
        { timeout: GUARD },
      )
      .toEqual(['Erebor', 'evil']);
    expect(await page.locator('#f-count').textContent()).toBe('Showing 2 of 3 institutions');
    await page.locator('#institutions').screenshot({ path: join(SHOTS, 'institutions-filtered.png') });

    // Sort by Belvo's status page, worst first, with the keyboard only.
    await page.locator('a[data-sort="statusPage"]').focus();
    await page.keyboard.press('Enter');
    expect(await page.locator('th[data-col="statusPage"]').getAttribute('aria-sort')).toBe('descending');
    const first = await rows.first().textContent();
    expect(first).toContain(EVIL); // major outage before degraded performance
    await page.locator('#f-country').selectOption('');
  });

  it("shows the incident's bar on the timeline, and its permalink opens from it", async () => {
    const line = await bot.waitFor(/OPENED .*Elevated 500s on \/api\/links/, GUARD);
    const id = /\[(A\d+)\]/.exec(line)?.[1];
    expect(id).toBeDefined();
    const bar = page.locator(`#timeline a[href="/incidents/${id}"] rect`);
    await bar.waitFor({ timeout: GUARD });
    const box = await bar.boundingBox();
    expect(box?.width).toBeGreaterThan(0);
    const row = page.locator('#timeline tbody tr', { has: page.locator(`a[href="/incidents/${id}"]`) });
    expect(await row.locator('th').textContent()).toBe("Belvo's API");
    await page.locator('#history').screenshot({ path: join(SHOTS, 'history.png') });

    await page.locator(`#timeline a[href="/incidents/${id}"]`).click();
    await page.waitForURL(`${base}/incidents/${id}`, { timeout: GUARD });
    expect(await page.locator('h1').textContent()).toBe(`[${id}] Belvo API: Elevated 500s on /api/links`);
    expect(await page.locator('.update-text').allTextContents()).toContain('Investigating errors.');
    await page.screenshot({ path: join(SHOTS, 'incident.png'), fullPage: true });
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('with web.auth set, every route of the page and its data answers 401 without credentials', async () => {
    const [incident] = bot.output.filter((l) => l.includes('OPENED')).map((l) => /\[(A\d+)\]/.exec(l)?.[1]);
    const script = await page.goto(`${base}/`).then(() => page.locator('script').getAttribute('src'));
    for (const path of ['/', `/incidents/${incident}`, '/web/data.json', '/web/events', String(script)]) {
      const res = await fetch(`${base}${path}`);
      expect(res.status, path).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('Basic');
    }
  });
});
