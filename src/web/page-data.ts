// Everything the page shows, read through the ports in one go (one `now`), so the views built from it are pure
// functions of it and agree with each other.
import { type AuditFindings, auditFindings } from '../commands/audit-handlers.js';
import type { BelvoAccountView, CallSummary } from '../commands/belvo-view.js';
import type { Alert } from '../domain/alert.js';
import type { InstitutionRef } from '../domain/institution.js';
import { type Silence, silenceActive } from '../domain/silence.js';
import type { BelvoLinkStatusCount } from '../ports/belvo-links.js';
import type { SourceState, Store } from '../ports/store.js';

/** What a polled source is, for the bot's own health and for reading its state. */
export type SourceRole = 'api' | 'institutions' | 'belvo-institutions' | 'belvo-links' | 'belvo-calls';

export interface WebSource {
  id: string;
  name: string;
  role: SourceRole;
}

export interface PageDeps {
  store: Store;
  sources: WebSource[];
  /** Belvo's institutions by API name (names, countries), as the pollers last read them. */
  catalogue: () => ReadonlyMap<string, InstitutionRef>;
  belvo?: BelvoAccountView;
  /** Silences written in the config (the store holds the ones made in chat). */
  configSilences: Silence[];
}

/** The error ratio of the team's calls is read over this window (as in `/belvo-status status`). */
export const CALL_WINDOW_MS = 15 * 60_000;
export const DAY_MS = 24 * 3_600_000;

export interface PageData {
  now: number;
  /** The history window: [now - days, now]. */
  days: number;
  firing: Alert[];
  /** Announced alerts open during the window (resolved in it, or still open), any order. */
  history: Alert[];
  silences: Silence[];
  sources: (WebSource & { state?: SourceState })[];
  outboxDepth: number;
  environments: string[];
  linkCounts: BelvoLinkStatusCount[];
  /** Calls in the last CALL_WINDOW_MS, for the whole account and per institution; undefined when not reported. */
  calls?: { all: CallSummary; of: (institution: string) => CallSummary };
  catalogue: ReadonlyMap<string, InstitutionRef>;
  /** The integration audit, and when it was checked (it is kept a while: see `cachedAudit`). */
  audit?: { at: number; findings: AuditFindings };
}

export type AuditSource = (now: number) => Promise<{ at: number; findings: AuditFindings } | undefined>;

/** How long the audit's findings are reused: they move slowly, and checking for duplicate links reads every link. */
export const AUDIT_TTL_MS = 60_000;

/** The audit, checked at most once per `ttlMs` however many pages are open (callers share one check in flight). */
export function cachedAudit(belvo: BelvoAccountView | undefined, ttlMs = AUDIT_TTL_MS): AuditSource {
  let last: { at: number; result: Promise<{ at: number; findings: AuditFindings } | undefined> } | undefined;
  return (now) => {
    if (!last || now - last.at >= ttlMs || now < last.at) {
      const result = auditFindings(belvo, now).then((findings) => findings && { at: now, findings });
      // A failed check is not kept: the next page asks again.
      result.catch(() => {
        if (last?.result === result) last = undefined;
      });
      last = { at: now, result };
    }
    return last.result;
  };
}

/** The alerts a page shows: the open ones, and the announced ones written since `since`. */
export type AlertSource = (since: number, now: number) => Promise<{ firing: Alert[]; recent: Alert[] }>;

export function storedAlerts(store: Store): AlertSource {
  return async (since) => {
    const [firing, recent] = await Promise.all([
      store.listAlerts({ states: ['firing'] }),
      // A resolved alert was last written when it resolved: what resolved before the window is left out here.
      store.listAlerts({ announcedOnly: true, changedSince: since }),
    ]);
    return { firing, recent };
  };
}

/** How long alerts read for one page serve the next ones, while nothing visible changed. */
export const ALERTS_TTL_MS = 30_000;
/** The window's start is rounded to this, so pages loaded a few seconds apart share one read. */
const SINCE_STEP_MS = 60_000;

/**
 * One read of the alerts for every page loaded until something visible changes (`revision()` moves) or `ttlMs`
 * passes. Every open page refreshes on the same change: without this, each would read a month of alerts at once.
 */
export function sharedAlerts(read: AlertSource, revision: () => number, ttlMs = ALERTS_TTL_MS): AlertSource {
  const kept = new Map<number, { revision: number; at: number; value: ReturnType<AlertSource> }>();
  return (since, now) => {
    const start = Math.floor(since / SINCE_STEP_MS) * SINCE_STEP_MS;
    const hit = kept.get(start);
    if (hit && hit.revision === revision() && now >= hit.at && now - hit.at < ttlMs) return hit.value;
    const value = read(start, now);
    value.catch(() => {
      if (kept.get(start)?.value === value) kept.delete(start);
    });
    // Only the windows asked for lately are kept (7 and 30 days, a minute apart at most).
    for (const [k, v] of kept) if (now - v.at >= ttlMs) kept.delete(k);
    kept.set(start, { revision: revision(), at: now, value });
    return value;
  };
}

export async function loadPageData(
  deps: PageDeps,
  now: number,
  days: number,
  sources: { audit?: AuditSource; alerts?: AlertSource } = {},
): Promise<PageData> {
  const audit = sources.audit ?? cachedAudit(deps.belvo, 0);
  const alerts = sources.alerts ?? storedAlerts(deps.store);
  const { store, belvo } = deps;
  const since = now - days * DAY_MS;
  const environments = belvo?.environments.map((e) => e.id) ?? [];
  const [{ firing, recent }, stored, sourceStates, outboxDepth, counts, checked] = await Promise.all([
    alerts(since, now),
    store.listSilences(now),
    Promise.all(
      deps.sources.map(async (s) => {
        const state = await store.getSourceState(s.id);
        return { ...s, ...(state && { state }) };
      }),
    ),
    store.outboxDepth(),
    Promise.all(environments.map((env) => belvo?.linkCounts(env) ?? [])),
    audit(now),
  ]);
  const history = new Map<string, Alert>();
  for (const a of recent) {
    if (a.state !== 'resolved' || (a.resolvedAt ?? a.lastSeenAt) >= since) history.set(a.id, a);
  }
  for (const a of firing) if (a.announced) history.set(a.id, a);
  const calls = belvo?.calls;
  return {
    now,
    days,
    firing,
    history: [...history.values()],
    silences: [...deps.configSilences, ...stored].filter((s) => silenceActive(s, now)),
    sources: sourceStates,
    outboxDepth,
    environments,
    linkCounts: counts.flat() as BelvoLinkStatusCount[],
    ...(calls && {
      calls: {
        all: calls.summary(now, CALL_WINDOW_MS),
        of: (institution: string) => calls.summary(now, CALL_WINDOW_MS, institution),
      },
    }),
    catalogue: deps.catalogue(),
    ...(checked && { audit: checked }),
  };
}
