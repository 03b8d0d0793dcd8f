// An alert event as a PagerDuty Events API v2 body (the notifier adds the routing key). Pure.
// https://developer.pagerduty.com/docs/send-alert-event
import type { AlertEvent, PageAction } from '../../src/domain/alert.js';
import type { Severity } from '../../src/domain/severity.js';
import type { MessageRef } from '../../src/ports/notifier.js';
import { PAGERDUTY_CLIENT } from './limits.js';
import { type CustomDetails, renderDetails } from './render-details.js';
import { renderSummary, STORM_KIND } from './render-summary.js';

export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

export const SEVERITY_MAP: Record<Severity, PagerDutySeverity> = {
  critical: 'critical',
  major: 'error',
  minor: 'warning',
  info: 'info',
};

export interface PagerDutyLink {
  href: string;
  text: string;
}

export interface TriggerPayload {
  summary: string;
  source: string;
  severity: PagerDutySeverity;
  timestamp: string;
  component?: string;
  group?: string;
  class: string;
  custom_details: CustomDetails;
}

export type PagerDutyEventBody =
  | {
      event_action: 'trigger';
      dedup_key: string;
      payload: TriggerPayload;
      links: PagerDutyLink[];
      client: string;
    }
  // PagerDuty reads nothing but the key and the action on these; anything else would be ignored.
  | { event_action: 'acknowledge' | 'resolve'; dedup_key: string };

export interface RenderEventOptions {
  dedupKey: string;
  /** The alert's messages at other destinations; those with `extra.link` become links on the page. */
  related?: MessageRef[];
}

/** More links than this only crowd the incident page. */
const MAX_LINKS = 10;

export function renderEvent(event: AlertEvent, action: PageAction, opts: RenderEventOptions): PagerDutyEventBody {
  if (action !== 'trigger') return { event_action: action, dedup_key: opts.dedupKey };
  const a = event.alert;
  const payload: TriggerPayload = {
    summary: renderSummary(a),
    source: a.source,
    severity: SEVERITY_MAP[a.severity],
    timestamp: new Date(event.at).toISOString(),
    class: a.kind,
    custom_details: renderDetails(event),
  };
  if (a.institution) payload.component = a.institution.name;
  const group = a.institution?.country ?? stormCountry(event);
  if (group) payload.group = group;
  return {
    event_action: 'trigger',
    dedup_key: opts.dedupKey,
    payload,
    links: renderLinks(a.url, opts.related ?? []),
    client: PAGERDUTY_CLIENT,
  };
}

/** A storm confined to one country is grouped under it; a storm across countries has no single group. */
function stormCountry(event: AlertEvent): string | undefined {
  const a = event.alert;
  if (a.kind !== STORM_KIND || !a.members) return undefined;
  const countries = new Set(a.members.filter((m) => m.state !== 'resolved').map((m) => m.institution?.country));
  const [only] = countries;
  return countries.size === 1 ? only : undefined;
}

export function renderLinks(statusPage: string | undefined, related: MessageRef[]): PagerDutyLink[] {
  const links: PagerDutyLink[] = [];
  if (statusPage && isWebUrl(statusPage)) links.push({ href: statusPage, text: 'Status page' });
  const withLink = related.filter((r) => r.extra?.link !== undefined && isWebUrl(r.extra.link));
  const labels = withLink.map((r) => messageLabel(r.destination));
  withLink.forEach((r, i) => {
    const href = r.extra?.link as string;
    if (links.some((l) => l.href === href)) return;
    const label = labels[i] as string;
    // Two Slack channels carrying the alert would both be "Slack message": say which is which.
    const text = labels.filter((l) => l === label).length > 1 ? `${label} (${r.destination})` : label;
    links.push({ href, text });
  });
  return links.slice(0, MAX_LINKS);
}

/** `slack:C0123` or a config id such as `oncall-slack` -> "Slack message". */
function messageLabel(destination: string): string {
  if (/slack/i.test(destination)) return 'Slack message';
  if (/discord/i.test(destination)) return 'Discord message';
  return `Message at ${destination}`;
}

function isWebUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
