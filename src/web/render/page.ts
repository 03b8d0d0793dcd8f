// The main page: now, institutions, history, audit and the bot's health, in that order (what is broken first).
import { html } from '../html.js';
import type { PageQuery } from '../page-query.js';
import type { WebPaths } from '../paths.js';
import type { PageView } from '../views/page.js';
import { renderAudit, renderHealth } from './health.js';
import { renderHistory } from './history.js';
import { renderFilters, renderInstitutions } from './institutions.js';
import { renderLayout } from './layout.js';
import { renderNow } from './now.js';
import { badge } from './parts.js';

export function renderPage(paths: WebPaths, v: PageView, q: PageQuery, revision: number): string {
  const level = v.now.worst ?? 'ok';
  const header = html`<h1>Belvo status</h1> <p class="headline" id="headline" data-live>${badge(level, v.now.worst ? v.now.worst.toUpperCase() : 'OK')} ${v.now.headline}</p>
<nav class="sections" aria-label="Sections"><a href="#now">Now</a><a href="#institutions">Institutions</a><a href="#history">History</a><a href="#audit">Audit</a><a href="#health">Bot health</a></nav>`;
  const main = html`${renderNow(paths, v.now)}
${renderInstitutions(paths, v.institutions, q, renderFilters(paths, v.institutions, q))}
${renderHistory(paths, v.history, q)}
${renderAudit(v.audit)}
${renderHealth(paths, v.health)}`;
  return renderLayout({ paths, title: `Belvo status: ${v.now.headline}`, now: v.at, revision, header, main });
}
