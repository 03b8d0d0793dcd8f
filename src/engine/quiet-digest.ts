// When a channel's quiet hours end, one message sums up what it did not hear of during them. Pure.
// The digest is keyed on (subscription, window end), so computing it again on every check is harmless: the outbox
// keeps the first one.

import { type Alert, type AlertEvent, type GroupMember, speakerOf } from '../domain/alert.js';
import { fingerprint } from '../domain/fingerprint.js';
import { DEFAULT_URGENT, inQuietHours, quietWindowAround } from '../domain/quiet-hours.js';
import { atLeast, worstSeverity } from '../domain/severity.js';
import { type Subscription, subscriptionMatches } from '../domain/subscription.js';
import type { NewIntent } from '../ports/store.js';
import { groupAlert } from './group-alert.js';
import { DIGEST_KIND } from './policy-config.js';

/** A digest that could not go out soon after its window (the bot was down) is old news: dropped. */
export const DIGEST_LATEST_MS = 6 * 3_600_000;

function within(t: number | undefined, w: { start: number; end: number }): boolean {
  return t !== undefined && t >= w.start && t < w.end;
}

function compact(at: number): string {
  return new Date(at).toISOString().replace(/[-:]/g, '').slice(0, 13);
}

export function quietDigests(subscriptions: Subscription[], alerts: Alert[], now: number): NewIntent[] {
  const intents: NewIntent[] = [];
  for (const sub of subscriptions) {
    const q = sub.filter.quietHours;
    if (!q || inQuietHours(q, now)) continue;
    const window = quietWindowAround(q, now);
    if (window.end > now || now - window.end > DIGEST_LATEST_MS) continue;
    const urgent = q.urgent ?? DEFAULT_URGENT;
    const held = alerts.filter(
      (a) =>
        a.announced &&
        speakerOf(a) === undefined &&
        a.kind !== DIGEST_KIND &&
        !atLeast(a.peakSeverity ?? a.severity, urgent) &&
        (within(a.firedAt, window) || within(a.resolvedAt, window)) &&
        subscriptionMatches(sub.filter, a),
    );
    if (held.length === 0) continue;
    const members: GroupMember[] = held.map((a) => ({
      id: a.id,
      kind: a.kind,
      source: a.source,
      title: a.title,
      ...(a.institution && { institution: a.institution }),
      severity: a.peakSeverity ?? a.severity,
      state: a.state,
      since: a.firedAt ?? a.startedAt,
      ...(a.resolvedAt !== undefined && { resolvedAt: a.resolvedAt }),
    }));
    const firing = members.filter((m) => m.state !== 'resolved').length;
    const id = `digest-${sub.id}-${compact(window.end)}`;
    const digest = groupAlert({
      id,
      fingerprint: fingerprint.digest(sub.id, window.end),
      kind: DIGEST_KIND,
      members,
      startedAt: window.start,
      now,
    });
    digest.state = firing > 0 ? 'firing' : 'resolved';
    digest.version = 1;
    digest.severity = members.reduce<Alert['severity']>((w, m) => worstSeverity(w, m.severity), 'info');
    digest.title = `While quiet (${q.from}-${q.to} ${q.tz}): ${members.length} alert${members.length === 1 ? '' : 's'}`;
    digest.status = `${firing} still firing, ${members.length - firing} resolved`;
    digest.peakSeverity = digest.severity;
    const event: AlertEvent = {
      type: 'opened',
      alert: digest,
      version: 1,
      at: now,
      reason: `quiet hours ended: what this channel did not hear of during them`,
      quiet: false,
      noPage: true,
    };
    intents.push({ alertId: id, version: 1, destination: sub.destination, event, notBefore: now });
  }
  return intents;
}
