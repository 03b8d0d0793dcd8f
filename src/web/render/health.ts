// The integration audit's findings, and the bot's own health: each source's last read and failures, the outbox,
// and destinations that refuse the bot's messages.
import type { AuditFindings, AuditMark } from '../../commands/audit-handlers.js';
import { html, type SafeHtml } from '../html.js';
import type { WebPaths } from '../paths.js';
import type { HealthView } from '../views/health.js';
import { alertLink, badge, count, time } from './parts.js';

const MARK: Record<AuditMark, { symbol: string; words: string }> = {
  ok: { symbol: '✓', words: 'ok' },
  warn: { symbol: '!', words: 'worth a look' },
  missing: { symbol: '✗', words: 'missing' },
};

export function renderAudit(checked: { at: number; findings: AuditFindings } | undefined): SafeHtml {
  const audit = checked?.findings;
  return html`<section id="audit" aria-labelledby="audit-h">
<h2 id="audit-h">Integration audit</h2>
<div id="live-audit" data-live>
${
  audit
    ? html`<p>Checked at ${time(checked?.at ?? 0)}: ${audit.problems === 0 ? "All good: Belvo's integration checklist holds for your account." : `${audit.problems} to look at in Belvo's integration checklist.`}</p>
${audit.sections.map(
  (s) =>
    html`<h3>${s.heading}</h3><ul class="audit">${s.findings.map(
      (f) =>
        html`<li class="mk-${f.mark}"><span class="mark" aria-hidden="true">${MARK[f.mark].symbol}</span><span class="sr">${MARK[f.mark].words}: </span>${f.text}</li>`,
    )}</ul>`,
)}`
    : html`<p class="muted">The audit checks Belvo's integration checklist against your account: it needs your Belvo API keys (belvo.environments in the configuration).</p>`
}
</div>
</section>`;
}

export function renderHealth(paths: WebPaths, v: HealthView): SafeHtml {
  return html`<section id="health" aria-labelledby="health-h">
<h2 id="health-h">The bot's own health</h2>
<div id="live-health" data-live>
<div class="scroll" role="region" aria-labelledby="sources-caption" tabindex="0">
<table class="data" id="sources">
<caption id="sources-caption">What the bot reads</caption>
<thead><tr><th scope="col">Source</th><th scope="col">What</th><th scope="col">State</th><th scope="col">Last read</th><th scope="col" class="num">Failures in a row</th><th scope="col">Last failure</th></tr></thead>
<tbody>${
    v.sources.length
      ? v.sources.map(
          (s) =>
            html`<tr><th scope="row">${s.name} <small>${s.id}</small></th><td>${s.what}</td><td>${badge(s.level, s.level === 'unknown' ? 'not read yet' : s.level)}</td><td>${s.lastSuccessAt !== undefined ? time(s.lastSuccessAt) : html`<span class="muted">never</span>`}</td><td class="num">${count(s.failures)}</td><td>${s.lastFailureAt !== undefined ? time(s.lastFailureAt) : html`<span class="muted">-</span>`}${s.lastError ? html`<br><span class="muted">${s.lastError}</span>` : ''}</td></tr>`,
        )
      : html`<tr><td colspan="6">No source is configured.</td></tr>`
  }</tbody>
</table>
</div>
<p>Outbox: ${v.outboxDepth === 0 ? 'empty, every message delivered' : `${count(v.outboxDepth)} message${v.outboxDepth === 1 ? '' : 's'} waiting to be delivered`}.</p>
${
  v.refusing.length
    ? html`<ul>${v.refusing.map(
        (r) =>
          html`<li>${badge('major', 'REFUSING')} ${r.destination} since ${time(r.since)} ${alertLink(paths, r.alertId, `[${r.alertId}]`)}${r.lastError ? html`: <span class="muted">${r.lastError}</span>` : ''}</li>`,
      )}</ul>`
    : html`<p>Every destination accepts the bot's messages.</p>`
}
</div>
</section>`;
}
