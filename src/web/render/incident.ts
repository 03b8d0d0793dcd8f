// An incident's own page: its state, facts, each source's evidence, the updates newest first.
import { html, type SafeHtml, safeHref } from '../html.js';
import type { WebPaths } from '../paths.js';
import type { Fact } from '../views/alert-view.js';
import type { IncidentPage } from '../views/incident.js';
import { renderLayout } from './layout.js';
import { alertLink, badge, time } from './parts.js';

function facts(list: Fact[]): SafeHtml {
  return list.length
    ? html`<dl class="facts">${list.map((f) => html`<dt>${f.label}</dt><dd>${f.value}</dd>`)}</dl>`
    : html`<p class="muted">No figures.</p>`;
}

export function renderIncident(paths: WebPaths, v: IncidentPage, now: number, revision: number): string {
  const a = v.alert;
  const url = safeHref(a.url);
  const state = a.open ? (a.level === 'maintenance' ? 'MAINTENANCE' : a.severity.toUpperCase()) : 'RESOLVED';
  const header = html`<p><a href="${paths.home}">All of Belvo status</a></p>
<h1>[${a.id}] ${a.title}</h1> <p class="headline" id="headline" data-live>${badge(a.level, state)} ${a.status}</p>`;
  const rows: [string, SafeHtml | string | undefined][] = [
    ['Institution', a.institutionText],
    ['Environment', a.environment],
    ['Started', time(a.startedAt)],
    [a.open ? 'Open' : 'Duration', a.duration],
    ['Worst severity', a.peak],
    ['Lead time', a.leadTime],
    ['Acknowledged by', a.acknowledgedBy],
    ['Also', a.flags.length ? a.flags.join(' · ') : undefined],
    ['Paging', v.paging],
    ['Sources', a.sources.join(', ')],
    ['Part of', v.partOf ? html`${alertLink(paths, v.partOf.id, `[${v.partOf.id}]`)} ${v.partOf.title}` : undefined],
    ['Posted to', v.postedTo.length ? v.postedTo.join(', ') : undefined],
    ['Status page', url ? html`<a href="${url}" rel="noreferrer noopener">${url}</a>` : undefined],
    ['Fingerprint', v.fingerprint],
  ];
  const main = html`<div id="live-incident" data-live>
<section aria-labelledby="facts-h"><h2 id="facts-h">Facts</h2>
<dl class="facts">${rows.filter(([, value]) => value !== undefined && value !== '').map(([k, value]) => html`<dt>${k}</dt><dd>${value}</dd>`)}</dl>
</section>
<section aria-labelledby="evidence-h"><h2 id="evidence-h">Evidence</h2>
${
  v.members.length
    ? html`<div class="scroll" role="region" aria-labelledby="members-caption" tabindex="0"><table class="data" id="members">
<caption id="members-caption">What each source says</caption>
<thead><tr><th scope="col">Id</th><th scope="col">Source's word</th><th scope="col">State</th><th scope="col">Figures</th></tr></thead>
<tbody>${v.members.map(
        (m) =>
          html`<tr><td>${alertLink(paths, m.id)}</td><td>${m.title}</td><td>${m.open ? 'open' : 'recovered'}</td><td>${facts(m.facts)}</td></tr>`,
      )}</tbody></table></div>`
    : a.evidence.length
      ? html`<ul class="evidence">${a.evidence.map((e) => html`<li>${e.id ? html`${alertLink(paths, e.id)} ` : ''}${e.text}${e.detail ? ` (${e.detail})` : ''}</li>`)}</ul>`
      : ''
}
${facts(a.facts)}
</section>
<section aria-labelledby="updates-h"><h2 id="updates-h">Updates, newest first</h2>
${
  v.updates.length
    ? html`<ol class="updates" reversed>${v.updates.map(
        (u) =>
          html`<li>${time(u.at)} <strong>${u.status}</strong>${u.origin === 'engine' ? html` <span class="muted">(the bot)</span>` : ''}<div class="update-text">${u.text}</div></li>`,
      )}</ol>`
    : html`<p class="muted">No update yet.</p>`
}
</section>
</div>`;
  return renderLayout({ paths, title: `[${a.id}] ${a.title} · Belvo status`, now, revision, header, main });
}

export function renderNotFound(paths: WebPaths, id: string, now: number, revision: number): string {
  return renderLayout({
    paths,
    title: 'No such incident · Belvo status',
    now,
    revision,
    header: html`<p><a href="${paths.home}">All of Belvo status</a></p><h1>No incident ${id}</h1>`,
    main: html`<p>The bot knows no incident with the id ${id}. Ids look like A12; the bot forgets resolved incidents after its retention time.</p>`,
  });
}
