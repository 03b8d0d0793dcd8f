import { describe, expect, it } from 'vitest';
import type { Alert, GroupMember } from '../../src/domain/alert.js';
import type { Severity } from '../../src/domain/severity.js';
import type { MessageRef } from '../../src/ports/notifier.js';
import { makeAlert, makeEvent, T0 } from '../../test/contract/alert-factory.js';
import { PAGERDUTY_LIMITS } from './limits.js';
import { DETAIL_LIMITS } from './render-details.js';
import { type PagerDutyEventBody, renderEvent, type TriggerPayload } from './render-event.js';

const KEY = 'belvo-status/belvo/production/institution/erebor_mx_retail/down';

function alert(over: Partial<Alert> = {}): Alert {
  return makeAlert({
    id: 'A12',
    title: 'Major outage',
    status: 'investigating',
    severity: 'major',
    institution: { name: 'erebor_mx_retail', displayName: 'Banco Erebor', country: 'MX' },
    maintenance: undefined,
    acknowledged: undefined,
    ...over,
  });
}

function trigger(a: Alert, related?: MessageRef[]): Extract<PagerDutyEventBody, { event_action: 'trigger' }> {
  const body = renderEvent(makeEvent(a), 'trigger', { dedupKey: KEY, ...(related && { related }) });
  if (body.event_action !== 'trigger') throw new Error('expected a trigger');
  return body;
}

const payloadOf = (a: Alert): TriggerPayload => trigger(a).payload;

function member(i: number, country: string, state: GroupMember['state'] = 'firing'): GroupMember {
  return {
    id: `A${100 + i}`,
    kind: 'statuspage.component',
    source: 'institutions',
    title: `Banco ${i} is down`,
    institution: { name: `banco_${i}`, displayName: `Banco ${i}`, country },
    severity: 'major',
    state,
    since: T0,
  };
}

describe('renderEvent: trigger', () => {
  it('says which alert, how bad, which institution and country, and what is wrong, in one line', () => {
    expect(payloadOf(alert()).summary).toBe('[A12 · major] Banco Erebor (MX): Major outage — investigating');
  });

  it('names the institution once when the title already does, and skips a status the title states', () => {
    const a = alert({ title: 'Banco Erebor is down', status: 'down', flapping: true });
    expect(payloadOf(a).summary).toBe('[A12 · major] Banco Erebor (MX) is down — flapping');
  });

  it('an institution incident: its title names the institution and country once, its status says if it is early', () => {
    const a = alert({
      kind: 'institution.incident',
      title: 'Banco Erebor (MX): token_required spike (production)',
      status: "not yet on Belvo's status page (noticed 12:00 UTC)",
    });
    expect(payloadOf(a).summary).toBe(
      "[A12 · major] Banco Erebor (MX): token_required spike (production) — not yet on Belvo's status page (noticed 12:00 UTC)",
    );
  });

  it('reads the status page word as words, and an alert without an institution as its title', () => {
    const a = alert({ institution: undefined, title: 'Belvo API', status: 'partial_outage', severity: 'critical' });
    expect(payloadOf(a).summary).toBe('[A12 · critical] Belvo API — partial outage');
  });

  it('an alert with no title still names its institution', () => {
    expect(payloadOf(alert({ title: '  ', status: 'down' })).summary).toBe('[A12 · major] Banco Erebor (MX) — down');
  });

  it.each<[Severity, string]>([
    ['critical', 'critical'],
    ['major', 'error'],
    ['minor', 'warning'],
    ['info', 'info'],
  ])('maps severity %s to PagerDuty %s', (severity, expected) => {
    expect(payloadOf(alert({ severity })).severity).toBe(expected);
  });

  it('fills source, component, group, class and timestamp from the alert and the event', () => {
    expect(payloadOf(alert())).toMatchObject({
      source: 'belvo-production',
      component: 'erebor_mx_retail',
      group: 'MX',
      class: 'belvo.institution',
      timestamp: new Date(T0).toISOString(),
    });
  });

  it('cuts a huge title to 1024 characters on one line, ending in an ellipsis', () => {
    const summary = payloadOf(alert({ title: `Outage\n${'very long words '.repeat(200)}` })).summary;
    expect(summary.length).toBeLessThanOrEqual(PAGERDUTY_LIMITS.summary);
    expect(summary.length).toBeGreaterThan(1000);
    expect(summary).toMatch(/^\[A12 · major\] Banco Erebor \(MX\): Outage very long words/);
    expect(summary).toMatch(/\S…$/);
    expect(summary).not.toContain('\n');
  });

  it('carries the alert id, fingerprint, reason, status, start and evidence for on-call', () => {
    const details = payloadOf(alert()).custom_details;
    expect(details).toMatchObject({
      alert_id: 'A12',
      fingerprint: 'belvo/production/institution/A12/down',
      reason: '2 consecutive bad polls (threshold 2)',
      status: 'investigating',
      started: new Date(T0 - 300_000).toISOString(),
      environment: 'production',
      evidence: { affectedLinks: 1240, affectedComponents: ['cmp_1', 'cmp_2'], rule: 'institution down 2 polls' },
    });
  });

  it('bounds runaway evidence and keeps the whole event far below PagerDuty size limit', () => {
    const evidence: Alert['evidence'] = {};
    for (let i = 0; i < 500; i++) evidence[`field${i}`] = 'e'.repeat(2000);
    evidence['field0'] = Array.from({ length: 5000 }, (_, i) => `req_${i}`);
    const body = trigger(alert({ evidence }));
    const shown = body.payload.custom_details['evidence'] as Record<string, unknown>;
    expect(shown['field0']).toHaveLength(DETAIL_LIMITS.evidenceItems + 1);
    expect((shown['field0'] as string[]).at(-1)).toBe(`+${5000 - DETAIL_LIMITS.evidenceItems} more`);
    expect(String(shown['field1']).length).toBe(DETAIL_LIMITS.evidenceString);
    expect(shown['(not shown)']).toMatch(/^\d+ more evidence fields$/);
    expect(Buffer.byteLength(JSON.stringify(body))).toBeLessThan(DETAIL_LIMITS.evidenceBytes + 8 * 1024);
  });

  it('links the status page and every chat message that has a link, labelled by where it is', () => {
    const related: MessageRef[] = [
      { alertId: 'A12', destination: 'slack:C0ONCALL', messageId: '1.2', extra: { link: 'https://x.slack.com/p1' } },
      { alertId: 'A12', destination: 'discord-ops', messageId: '9', extra: { link: 'https://discord.com/c/1/9' } },
      { alertId: 'A12', destination: 'slack:C0NOLINK', messageId: '3.4', extra: { channel: 'C0NOLINK' } },
      { alertId: 'A12', destination: 'console', messageId: 'c', extra: { link: 'javascript:alert(1)' } },
    ];
    expect(trigger(alert(), related).links).toEqual([
      { href: 'https://status.belvo.com/incidents/abc123', text: 'Status page' },
      { href: 'https://x.slack.com/p1', text: 'Slack message' },
      { href: 'https://discord.com/c/1/9', text: 'Discord message' },
    ]);
  });

  it('tells two Slack channels apart', () => {
    const related: MessageRef[] = ['C0A', 'C0B'].map((c) => ({
      alertId: 'A12',
      destination: `slack:${c}`,
      messageId: '1',
      extra: { link: `https://x.slack.com/${c}` },
    }));
    expect(trigger(alert({ url: undefined }), related).links.map((l) => l.text)).toEqual([
      'Slack message (slack:C0A)',
      'Slack message (slack:C0B)',
    ]);
  });
});

describe('renderEvent: storm', () => {
  const storm = (members: GroupMember[]) =>
    alert({
      id: 'A7',
      kind: 'bot.storm',
      title: 'Many institutions degraded',
      severity: 'critical',
      institution: undefined,
      members,
    });

  it('counts the institutions still failing, their countries, the first names and how many more', () => {
    const members = [
      ...Array.from({ length: 8 }, (_, i) => member(i, i % 2 ? 'CO' : 'MX')),
      member(8, 'BR', 'resolved'),
    ];
    const payload = payloadOf(storm(members));
    expect(payload.summary).toBe(
      '[A7 · critical] 8 of 9 institutions still failing (MX, CO): Banco 0 (MX), Banco 1 (CO), Banco 2 (MX), ' +
        'Banco 3 (CO), Banco 4 (MX) +3 more',
    );
    expect(payload.group).toBeUndefined();
    expect(payload.custom_details).toMatchObject({ members_failing: 8, members_total: 9 });
  });

  it('is grouped by its country when it is in one, and lists a bounded number of members, failing first', () => {
    const members = [member(0, 'MX', 'resolved'), ...Array.from({ length: 80 }, (_, i) => member(i + 1, 'MX'))];
    const payload = payloadOf(storm(members));
    expect(payload.summary).toMatch(/^\[A7 · critical\] 80 of 81 institutions still failing \(MX\): Banco 1 \(MX\)/);
    expect(payload.group).toBe('MX');
    const listed = payload.custom_details['members'] as { id: string; state: string }[];
    expect(listed).toHaveLength(DETAIL_LIMITS.members);
    expect(listed.every((m) => m.state === 'firing')).toBe(true);
    expect(payload.custom_details['members_not_listed']).toBe(81 - DETAIL_LIMITS.members);
  });
});

describe('renderEvent: acknowledge and resolve', () => {
  it.each(['acknowledge', 'resolve'] as const)('%s carries only the action and the dedup key', (action) => {
    expect(renderEvent(makeEvent(alert()), action, { dedupKey: KEY })).toEqual({
      event_action: action,
      dedup_key: KEY,
    });
  });
});
