// "Now": Belvo's API, the open incidents with their evidence, and the silences and acknowledgements in force.
import { html, type SafeHtml } from '../html.js';
import type { WebPaths } from '../paths.js';
import type { AlertView, EvidenceItem } from '../views/alert-view.js';
import type { NowView } from '../views/now.js';
import { alertLink, badge, time } from './parts.js';

function evidenceList(paths: WebPaths, items: EvidenceItem[]): SafeHtml {
  if (items.length === 0) return html``;
  return html`<ul class="evidence">${items.map(
    (e) =>
      html`<li class="${e.open ? 'open' : 'closed'}">${e.id ? html`${alertLink(paths, e.id)} ` : ''}${e.text}${
        e.detail ? html` <span class="muted">(${e.detail})</span>` : ''
      }${e.open ? '' : html` <span class="muted">· recovered</span>`}</li>`,
  )}</ul>`;
}

function incidentRow(paths: WebPaths, a: AlertView): SafeHtml {
  const facts = a.evidence.length === 0 ? a.facts.filter((f) => f.label !== 'rule') : [];
  return html`<tr>
<td data-label="Id">${alertLink(paths, a.id)}</td>
<td data-label="Incident"><a href="${paths.incident(a.id)}">${a.title}</a>${a.environment && !a.title.includes(`(${a.environment})`) ? html` <span class="muted">(${a.environment})</span>` : ''}</td>
<td data-label="Severity">${badge(a.level, a.level === 'maintenance' ? 'maintenance' : a.severity.toUpperCase())}</td>
<td data-label="Since">${time(a.startedAt)}<br><span class="muted">${a.duration}</span></td>
<td data-label="Status">${a.status}${a.flags.length ? html`<br><span class="muted">${a.flags.join(' · ')}</span>` : ''}</td>
<td data-label="Evidence">${evidenceList(paths, a.evidence)}${
    facts.length ? html`<dl class="facts">${facts.map((f) => html`<dt>${f.label}</dt><dd>${f.value}</dd>`)}</dl>` : ''
  }</td>
<td data-label="Sources">${a.sources.join(', ')}</td>
<td data-label="Lead time">${a.leadTime ?? html`<span class="muted">-</span>`}</td>
</tr>`;
}

export function renderNow(paths: WebPaths, v: NowView): SafeHtml {
  const apiLevel = v.api.level;
  return html`<section id="now" aria-labelledby="now-h">
<h2 id="now-h">Now</h2>
<div id="live-now" data-live>
<div class="api st-${apiLevel}">
<h3>Belvo's API</h3>
<p>${badge(apiLevel, apiLevel === 'ok' ? 'OPERATIONAL' : apiLevel === 'unknown' ? 'UNKNOWN' : apiLevel.toUpperCase())} ${v.api.text}</p>
${v.api.alerts.length ? html`<p>${v.api.alerts.map((a) => html`${alertLink(paths, a.id, `[${a.id}]`)} ${a.status} `)}</p>` : ''}
</div>
<div class="scroll" role="region" aria-labelledby="incidents-caption" tabindex="0">
<table class="data cards" id="open-incidents">
<caption id="incidents-caption">${v.incidents.length ? `Open incidents (${v.incidents.length}), worst first` : 'Open incidents: none'}</caption>
<thead><tr><th scope="col">Id</th><th scope="col">Incident</th><th scope="col">Severity</th><th scope="col">Since</th><th scope="col">Status</th><th scope="col">Evidence</th><th scope="col">Sources</th><th scope="col">Lead time</th></tr></thead>
<tbody>${v.incidents.length ? v.incidents.map((a) => incidentRow(paths, a)) : html`<tr><td colspan="8">Nothing is open.</td></tr>`}</tbody>
</table>
</div>
<h3>Silences and acknowledgements</h3>
${
  v.silences.length
    ? html`<div class="scroll" role="region" aria-labelledby="silences-caption" tabindex="0"><table class="data" id="silences">
<caption id="silences-caption">Silences in force (${v.silences.length}): alerts they match are not delivered nor paged</caption>
<thead><tr><th scope="col">Id</th><th scope="col">Matches</th><th scope="col">Until</th><th scope="col">By</th><th scope="col">Reason</th></tr></thead>
<tbody>${v.silences.map((s) => html`<tr><td>${s.id}</td><td>${s.matches}</td><td>${time(s.until)}</td><td>${s.by}</td><td>${s.reason}</td></tr>`)}</tbody>
</table></div>`
    : html`<p class="muted">No silence in force.</p>`
}
${
  v.acknowledged.length
    ? html`<ul>${v.acknowledged.map((a) => html`<li>${alertLink(paths, a.id)} ${a.title}: acknowledged by ${a.acknowledgedBy}</li>`)}</ul>`
    : html`<p class="muted">No open incident is acknowledged.</p>`
}
</div>
</section>`;
}
