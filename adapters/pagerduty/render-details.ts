// custom_details: what on-call needs beside the summary to judge the page without opening the bot (which rule
// fired, the numbers, the request_ids to quote to Belvo support). Bounded, so a runaway evidence list or a storm of
// hundreds of institutions can never push the event past PagerDuty's size limit.
import type { Alert, AlertEvent, GroupMember } from '../../src/domain/alert.js';
import type { EvidenceValue } from '../../src/domain/signal.js';
import { clip } from '../../src/domain/text.js';
import { institutionLabel } from './render-summary.js';

export const DETAIL_LIMITS = {
  /** Serialized size of the evidence object. */
  evidenceBytes: 16 * 1024,
  evidenceString: 500,
  /** Items kept from an evidence list (request_ids), each cut to `evidenceItem`. */
  evidenceItems: 20,
  evidenceItem: 100,
  members: 50,
  text: 1000,
} as const;

export type CustomDetails = Record<string, unknown>;

export function renderDetails(event: AlertEvent): CustomDetails {
  const a = event.alert;
  const details: CustomDetails = {
    alert_id: a.id,
    fingerprint: a.fingerprint,
    kind: a.kind,
    reason: clip(event.reason, DETAIL_LIMITS.text, 'ellipsis'),
    status: clip(a.status, DETAIL_LIMITS.text, 'ellipsis'),
    severity: a.severity,
    started: new Date(a.startedAt).toISOString(),
  };
  if (a.environment) details['environment'] = a.environment;
  if (a.institution) details['institution'] = institutionLabel(a.institution);
  if (a.flapping) details['flapping'] = true;
  if (a.acknowledged) details['acknowledged_by'] = a.acknowledged.by;
  const evidence = boundedEvidence(a.evidence);
  if (Object.keys(evidence).length > 0) details['evidence'] = evidence;
  if (a.members?.length) Object.assign(details, boundedMembers(a.members));
  return details;
}

function boundedValue(value: EvidenceValue): EvidenceValue {
  if (typeof value === 'string') return clip(value, DETAIL_LIMITS.evidenceString, 'ellipsis');
  if (!Array.isArray(value)) return value;
  const kept = value
    .slice(0, DETAIL_LIMITS.evidenceItems)
    .map((v) => clip(String(v), DETAIL_LIMITS.evidenceItem, 'ellipsis'));
  const more = value.length - kept.length;
  return more > 0 ? [...kept, `+${more} more`] : kept;
}

/** Fields in the order the detector wrote them, until the byte budget is spent; the rest are counted, not dropped silently. */
function boundedEvidence(evidence: Alert['evidence']): Record<string, EvidenceValue> {
  const out: Record<string, EvidenceValue> = {};
  const entries = Object.entries(evidence);
  let used = 2;
  let kept = 0;
  for (const [key, value] of entries) {
    const name = clip(key, DETAIL_LIMITS.evidenceItem, 'ellipsis');
    const bounded = boundedValue(value);
    const size = Buffer.byteLength(JSON.stringify({ [name]: bounded })) - 1;
    if (used + size > DETAIL_LIMITS.evidenceBytes) break;
    out[name] = bounded;
    used += size;
    kept += 1;
  }
  if (kept < entries.length) out['(not shown)'] = `${entries.length - kept} more evidence fields`;
  return out;
}

function boundedMembers(members: GroupMember[]): CustomDetails {
  // Still-failing members first: a truncated list should show what is broken, not what already recovered.
  const ordered = [...members.filter((m) => m.state !== 'resolved'), ...members.filter((m) => m.state === 'resolved')];
  const listed = ordered.slice(0, DETAIL_LIMITS.members).map((m) => ({
    id: m.id,
    name: clip(m.institution ? institutionLabel(m.institution) : m.title, DETAIL_LIMITS.evidenceString, 'ellipsis'),
    severity: m.severity,
    state: m.state,
    since: new Date(m.since).toISOString(),
  }));
  const out: CustomDetails = {
    members_failing: members.filter((m) => m.state !== 'resolved').length,
    members_total: members.length,
    members: listed,
  };
  if (members.length > listed.length) out['members_not_listed'] = members.length - listed.length;
  return out;
}
