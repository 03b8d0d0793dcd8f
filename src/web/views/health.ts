// "The bot's own health": when each source was last read and how many reads failed in a row, how many messages wait
// in the outbox, and which destinations refuse the bot's messages.
import { DESTINATION_HEALTH_KIND } from '../../domain/fingerprint.js';
import type { PageData, SourceRole } from '../page-data.js';

const ROLE_TEXT: Record<SourceRole, string> = {
  api: "Belvo's API status page",
  institutions: "Belvo's institution status page",
  'belvo-institutions': "Belvo's API: institutions down",
  'belvo-links': 'your links (reconciliation, spikes)',
  'belvo-calls': "your app's reported calls",
};

export interface SourceHealth {
  id: string;
  name: string;
  what: string;
  level: 'ok' | 'failing' | 'unknown';
  lastSuccessAt?: number;
  lastFailureAt?: number;
  failures: number;
  lastError?: string;
}

export interface HealthView {
  sources: SourceHealth[];
  outboxDepth: number;
  refusing: { alertId: string; destination: string; since: number; lastError?: string }[];
}

export function buildHealthView(data: PageData): HealthView {
  return {
    sources: data.sources.map((s) => {
      const st = s.state;
      return {
        id: s.id,
        name: s.name,
        what: ROLE_TEXT[s.role],
        level: !st ? 'unknown' : st.consecutiveFailures > 0 ? 'failing' : 'ok',
        ...(st?.lastSuccessAt !== undefined && { lastSuccessAt: st.lastSuccessAt }),
        ...(st?.lastFailureAt !== undefined && { lastFailureAt: st.lastFailureAt }),
        failures: st?.consecutiveFailures ?? 0,
        ...(st?.lastError && st.consecutiveFailures > 0 && { lastError: st.lastError }),
      };
    }),
    outboxDepth: data.outboxDepth,
    refusing: data.firing
      .filter((a) => a.kind === DESTINATION_HEALTH_KIND)
      .map((a) => ({
        alertId: a.id,
        destination: String(a.evidence.destination ?? a.title),
        since: a.firedAt ?? a.startedAt,
        ...(typeof a.evidence.lastError === 'string' && { lastError: a.evidence.lastError }),
      })),
  };
}
