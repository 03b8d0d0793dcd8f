// Tells the open pages that what they show has changed, the moment it is committed: the store is watched where
// every change goes through (an evaluation's commit, a silence added or removed), so polls, webhooks, chat commands
// and the policy check all reach the page the same way. Only a change a reader could see counts: a poll that merely
// saw the same thing again rewrites alert rows (last seen, counters) and must not refresh every open page.
import type { Alert } from '../domain/alert.js';
import type { SourceState, Store } from '../ports/store.js';

export type ChangeListener = (revision: number) => void;

/** Changes within this long are announced once: a storm commits hundreds of alerts in a burst. */
const COALESCE_MS = 100;

export class ChangeFeed {
  private readonly listeners = new Set<ChangeListener>();
  private timer: NodeJS.Timeout | undefined;
  /** Bumped by every visible change; a page compares it with the one it was rendered at. */
  revision = 0;

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  changed(): void {
    this.revision++;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      for (const listener of this.listeners) listener(this.revision);
    }, COALESCE_MS);
    this.timer.unref();
  }
}

/** What of an alert the page shows (not when it was last seen, nor its counters). */
function visible(a: Alert): string {
  return JSON.stringify([
    a.state,
    a.version,
    a.severity,
    a.status,
    a.title,
    a.flapping,
    a.maintenance?.id,
    a.acknowledged,
    a.silenced,
    a.incidentId,
    a.groupId,
    a.correlation,
    a.paging?.pager,
    a.evidence,
    a.figure?.text,
    a.members?.map((m) => m.state),
    a.timeline.length,
  ]);
}

function sourceVisible(s: SourceState): string {
  return JSON.stringify([s.consecutiveFailures, s.lastError, s.firstSuccessAt === undefined]);
}

/**
 * The same store, announcing visible changes to `feed` once they are committed. A proxy rather than a copy: every
 * other method is the store's own, bound to it.
 */
export function watchStore(store: Store, feed: ChangeFeed): Store {
  const seen = new Map<string, string>();
  const sources = new Map<string, string>();
  const differs = <K>(map: Map<K, string>, key: K, value: string) => {
    if (map.get(key) === value) return false;
    map.set(key, value);
    return true;
  };
  const wrapped: Partial<Store> = {
    async commitAlerts(commit) {
      const result = await store.commitAlerts(commit);
      let change = false;
      for (const a of commit.alerts) if (differs(seen, a.id, visible(a))) change = true;
      const s = commit.sourceState;
      if (s && differs(sources, s.source, sourceVisible(s))) change = true;
      if (change) feed.changed();
      return result;
    },
    async addSilence(silence) {
      await store.addSilence(silence);
      feed.changed();
    },
    async removeSilence(id) {
      const removed = await store.removeSilence(id);
      if (removed) feed.changed();
      return removed;
    },
    async pruneResolvedAlerts(before, options) {
      const pruned = await store.pruneResolvedAlerts(before, options);
      // Pages open on a long history view lose those incidents.
      if (pruned.alerts > 0) feed.changed();
      return pruned;
    },
  };
  return new Proxy(store, {
    get(target, prop, receiver) {
      const own = wrapped[prop as keyof Store];
      if (own) return own;
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
