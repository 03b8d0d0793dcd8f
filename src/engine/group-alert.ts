// An alert the bot makes itself to speak for several others (a storm, a quiet-hours digest): firing from the start,
// its own lifecycle, and its members listed on its message.
import type { Alert, GroupMember } from '../domain/alert.js';

export function groupAlert(fields: {
  id: string;
  fingerprint: string;
  kind: string;
  members: GroupMember[];
  startedAt: number;
  now: number;
}): Alert {
  const { now } = fields;
  return {
    id: fields.id,
    fingerprint: fields.fingerprint,
    kind: fields.kind,
    source: 'bot',
    lifecycle: 'source',
    state: 'firing',
    version: 0,
    severity: 'minor',
    peakSeverity: 'minor',
    title: '',
    status: '',
    evidence: {},
    flapping: false,
    members: fields.members,
    announced: true,
    counters: { bad: 0, ok: 0 },
    flips: [],
    startedAt: fields.startedAt,
    firstSeenAt: now,
    lastSeenAt: now,
    firedAt: now,
    timeline: [],
    rev: 0,
  };
}
