// "Institutions": the filter (a plain form; the script filters as one types) and the table, grouped by country,
// with sortable columns (links that reload sorted; the script sorts in place).
import { html, type SafeHtml } from '../html.js';
import { type PageQuery, queryString, type SortKey } from '../page-query.js';
import type { WebPaths } from '../paths.js';
import { type InstitutionRow, type InstitutionsView, rankOf, type StateCell } from '../views/institutions.js';
import { alertLink, count } from './parts.js';

const COLUMNS: { key: SortKey; label: string; numeric: boolean }[] = [
  { key: 'name', label: 'Institution', numeric: false },
  { key: 'statusPage', label: "Belvo's status page", numeric: false },
  { key: 'api', label: "Belvo's API", numeric: false },
  { key: 'valid', label: 'Valid links', numeric: true },
  { key: 'tokenRequired', label: 'token_required', numeric: true },
  { key: 'invalid', label: 'Invalid', numeric: true },
  { key: 'errors', label: 'Errors (15 min)', numeric: true },
];

// Rows are kept small (a thousand of them must stay well under a megabyte): numbers carry no attributes (the
// script reads them from the text), states a short tag the style sheet turns into a badge.
function stateCell(paths: WebPaths, c: StateCell): SafeHtml {
  return html`<td data-v="${rankOf(c.level)}"><b class="lv-${c.level}">${c.text}</b>${c.alertId ? html` ${alertLink(paths, c.alertId)}` : ''}</td>`;
}

function num(n: number | undefined): SafeHtml {
  return n === undefined ? html`<td>-</td>` : html`<td>${count(n)}</td>`;
}

function row(paths: WebPaths, r: InstitutionRow): SafeHtml {
  const e = r.errors;
  return html`<tr><th scope="row">${r.displayName} <small>${r.name}</small>${
    r.incident ? html` ${alertLink(paths, r.incident.id, `[${r.incident.id}]`)}` : ''
  }</th>${stateCell(paths, r.statusPage)}${stateCell(paths, r.api)}${num(r.links?.valid)}${num(r.links?.tokenRequired)}${num(r.links?.invalid)}${
    e?.ratio !== undefined
      ? html`<td data-v="${e.ratio.toFixed(4)}">${(e.ratio * 100).toFixed(1)}% <small>of ${count(e.calls)}</small></td>`
      : html`<td data-v="-1">${e ? 'no calls' : '-'}</td>`
  }</tr>`;
}

export function renderFilters(paths: WebPaths, v: InstitutionsView, q: PageQuery): SafeHtml {
  const keep = [
    q.sort !== 'name' ? html`<input type="hidden" name="sort" value="${q.sort}">` : '',
    q.dir !== 'asc' ? html`<input type="hidden" name="dir" value="${q.dir}">` : '',
    q.days !== 7 ? html`<input type="hidden" name="days" value="${q.days}">` : '',
  ];
  return html`<form class="filters" method="get" action="${paths.home}" role="search" aria-label="Filter institutions">
<div><label for="f-q">Institution</label><input id="f-q" name="q" type="search" value="${q.q}" autocomplete="off" placeholder="part of its name or Belvo name"></div>
<div><label for="f-country">Country</label><select id="f-country" name="country"><option value="">All countries</option>${v.countries.map(
    (c) =>
      html`<option value="${c.code}"${c.code === q.country ? html` selected` : ''}>${c.name} (${c.count})</option>`,
  )}</select></div>
${keep}<button type="submit">Filter</button>
<output id="f-count" for="f-q f-country" aria-live="polite">Showing ${count(v.shown)} of ${count(v.total)} institutions</output>
</form>`;
}

/** `filters` stays outside the live part: a refresh must not reset what the reader is typing. */
export function renderInstitutions(paths: WebPaths, v: InstitutionsView, q: PageQuery, filters: SafeHtml): SafeHtml {
  const links = v.environments.length ? `links in ${v.environments.join(' and ')}` : 'no Belvo account configured';
  const calls = v.callsReported
    ? "errors: your app's calls in the last 15 minutes"
    : 'your app does not report its calls';
  const head = COLUMNS.map((c) => {
    const current = q.sort === c.key;
    const nextDir = current ? (q.dir === 'asc' ? 'desc' : 'asc') : c.numeric || c.key !== 'name' ? 'desc' : 'asc';
    const sort = current ? (q.dir === 'asc' ? 'ascending' : 'descending') : 'none';
    return html`<th scope="col" data-col="${c.key}" aria-sort="${sort}"${c.numeric ? html` class="num"` : ''}><a href="${paths.home}${queryString(q, { sort: c.key, dir: nextDir })}#institutions" data-sort="${c.key}">${c.label}</a></th>`;
  });
  return html`<section id="institutions" aria-labelledby="institutions-h">
<h2 id="institutions-h">Institutions</h2>
${filters}
<div id="live-institutions" data-live>
${
  v.total === 0
    ? html`<p class="muted">No institution yet: institutions appear here once your links are listed or an alert names one.</p>`
    : ''
}
<div class="scroll" role="region" aria-labelledby="institutions-caption" tabindex="0">
<table class="data inst" id="institutions-table" data-sort="${q.sort}" data-dir="${q.dir}">
<caption id="institutions-caption">Institutions your team uses, by country (${links}; ${calls}). Sort by a column's heading.</caption>
<thead><tr>${head}</tr></thead>
${v.groups.map(
  (g) =>
    html`<tbody data-country="${g.code}"><tr class="group"><th scope="rowgroup" colspan="${COLUMNS.length}">${g.name} <span class="muted">(${g.rows.length})</span></th></tr>
${g.rows.map((r) => row(paths, r))}</tbody>`,
)}
</table>
</div>
</div>
</section>`;
}
