// "History": one timeline per institution (SVG bars placed by attributes, so no inline style is needed; each bar is a
// link to its incident), then the incidents with their durations, lead times and who acknowledged them.
import { shortUtc } from '../../commands/format.js';
import { durationText } from '../../domain/alert.js';
import { html, type SafeHtml } from '../html.js';
import { type PageQuery, queryString, WINDOWS } from '../page-query.js';
import type { WebPaths } from '../paths.js';
import { type HistoryView, TIMELINE_WIDTH, type TimelineBar, type TimelineRow } from '../views/history.js';
import { alertLink, badge, count, time } from './parts.js';

const BAR_HEIGHT = 16;

/** What a bar says on hover and to a screen reader: short, as there can be a couple of thousand (the page says more). */
function barLabel(b: TimelineBar): string {
  const lasted = b.endedAt === undefined ? 'still open' : `lasted ${durationText(b.endedAt - b.startedAt)}`;
  return `${b.id} ${b.severity}, ${shortUtc(b.startedAt)}, ${lasted}`;
}

function timelineRow(paths: WebPaths, r: TimelineRow): SafeHtml {
  return html`<tr data-country="${r.country}"><th scope="row">${r.label}${r.name ? html` <small>${r.name}</small>` : ''}</th><td class="bars"><svg class="tl" viewBox="0 0 ${TIMELINE_WIDTH} ${BAR_HEIGHT}" preserveAspectRatio="none" role="group" aria-label="${r.bars.length} incidents">${r.bars.map(
    (b) =>
      html`<a href="${paths.incident(b.id)}"><rect x="${b.x}" width="${b.width}" height="${BAR_HEIGHT}" class="lv-${b.severity}"><title>${barLabel(b)}</title></rect></a>`,
  )}</svg></td><td class="num">${r.bars.length}</td></tr>`;
}

export function renderHistory(paths: WebPaths, v: HistoryView, q: PageQuery): SafeHtml {
  const windows = WINDOWS.map(
    (d) =>
      html`<a href="${paths.home}${queryString(q, { days: d })}#history"${d === v.days ? html` aria-current="page"` : ''}>${d} days</a>`,
  );
  const filtered = q.q !== '' || q.country !== '';
  return html`<section id="history" aria-labelledby="history-h">
<h2 id="history-h">History</h2>
<p class="windows">Window: ${windows.map((w, i) => html`${i ? ' · ' : ''}${w}`)}</p>
<div id="live-history" data-live>
<div class="scroll" role="region" aria-labelledby="timeline-caption" tabindex="0">
<table class="data timeline" id="timeline">
<caption id="timeline-caption">Incidents per institution over the last ${v.days} days, coloured by how bad they got (each bar opens its incident)</caption>
<thead><tr><th scope="col">Institution</th><th scope="col"><span class="axis"><span>${shortUtc(v.since)}</span><span>${shortUtc(v.until)}</span></span></th><th scope="col" class="num">Incidents</th></tr></thead>
<tbody>${v.rows.length ? v.rows.map((r) => timelineRow(paths, r)) : html`<tr class="empty"><td colspan="3">No incident in these ${v.days} days${filtered ? ' for this filter' : ''}.</td></tr>`}</tbody>
</table>
</div>
<div class="scroll" role="region" aria-labelledby="history-caption" tabindex="0">
<table class="data" id="history-list">
<caption id="history-caption">Incidents in the last ${v.days} days, newest first${
    v.matching > v.incidents.length
      ? ` (the ${count(v.incidents.length)} newest of ${count(v.matching)})`
      : ` (${count(v.matching)})`
  }</caption>
<thead><tr><th scope="col">Id</th><th scope="col">Incident</th><th scope="col">Worst</th><th scope="col">Started</th><th scope="col">Duration</th><th scope="col">Lead time</th><th scope="col">Acknowledged by</th></tr></thead>
<tbody>${v.incidents.length ? '' : html`<tr><td colspan="7">No incident in these ${v.days} days.</td></tr>`}${v.incidents.map(
    (i) =>
      html`<tr data-key="${i.key}" data-country="${i.country}"><td>${alertLink(paths, i.id)}</td><td>${i.title}</td><td>${badge(i.peak, i.peak.toUpperCase())}</td><td>${time(i.startedAt)}</td><td>${i.open ? html`<strong>open</strong> ${i.duration}` : i.duration}</td><td>${i.leadTime ?? html`<span class="muted">-</span>`}</td><td>${i.acknowledgedBy ?? html`<span class="muted">-</span>`}</td></tr>`,
  )}</tbody>
</table>
</div>
</div>
</section>`;
}
