// What /readyz answers: whether this bot should be sent webhooks and commands now. Ready means every poll it was
// built with is scheduled, the store is open and takes a write, and the data directory has room for the next ones.
// A full disk or a read-only file turns it to 503 (a webhook answered 2xx must be stored).
import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Role } from '../ports/replicas.js';

export interface ReadinessDeps {
  /** Polls running / polls the bot was built with (status pages, Belvo account, reported calls, retention). */
  polls: { scheduled(): number; expected(): number };
  storeOpen(): boolean;
  /** A small committed write; throws when the store cannot write. */
  probeWrite(): Promise<void>;
  /** The database file (`:memory:` has no directory to watch). */
  storagePath: string;
  /** Bytes that must stay free in the data directory. */
  minFreeBytes: number;
  now?: () => number;
  /** The write probe runs at most this often; probes in between reuse its answer. Default 5 s. */
  probeEveryMs?: number;
  /** Several replicas: this one's part. A follower polls nothing (the leader does); unreachable is not ready. */
  role?: () => Role;
  /** The chat connections the bot opened and their state; shown, not judged. */
  connections?: () => Record<string, string>;
}

export interface ReadinessReport {
  ready: boolean;
  checks: { store: boolean; sources: boolean; storageWritable: boolean; storageSpace: boolean };
  /** Why a check failed, for a person reading the answer. */
  problems: string[];
  /** With several replicas: leader, follower or unreachable. */
  role?: Role;
  /** Connections the bot opened itself (`discord-gateway: connected`), when it opened any. */
  connections?: Record<string, string>;
}

export function createReadiness(deps: ReadinessDeps): () => Promise<ReadinessReport> {
  const now = deps.now ?? Date.now;
  let lastProbe: { at: number; error?: string } | undefined;

  async function writable(): Promise<string | undefined> {
    const at = now();
    if (!lastProbe || at - lastProbe.at >= (deps.probeEveryMs ?? 5000)) {
      try {
        await deps.probeWrite();
        lastProbe = { at };
      } catch (err) {
        lastProbe = { at, error: (err as { code?: string }).code ?? (err as Error).message };
      }
    }
    return lastProbe.error;
  }

  async function freeBytes(): Promise<number | undefined> {
    if (deps.storagePath === ':memory:') return undefined;
    try {
      const fs = await statfs(dirname(deps.storagePath));
      return fs.bavail * fs.bsize;
    } catch {
      return undefined; // not knowable here: the write probe still tells
    }
  }

  return async () => {
    const problems: string[] = [];
    const role = deps.role?.();
    const store = deps.storeOpen() && role !== 'unreachable';
    if (!store) problems.push(role === 'unreachable' ? 'the database cannot be reached' : 'the store is not open');
    const scheduled = deps.polls.scheduled();
    const expected = deps.polls.expected();
    // A follower polls nothing: the leader does.
    const sources = role === 'follower' || scheduled === expected;
    if (!sources) problems.push(`${scheduled} of ${expected} polls scheduled`);
    const writeError = store ? await writable() : 'closed';
    if (store && writeError) problems.push(`the store cannot write (${writeError})`);
    const free = await freeBytes();
    const storageSpace = free === undefined || free >= deps.minFreeBytes;
    if (!storageSpace) {
      problems.push(`${free} bytes free beside storage.path, under storage.minFree (${deps.minFreeBytes})`);
    }
    const checks = { store, sources, storageWritable: !writeError, storageSpace };
    const connections = deps.connections?.() ?? {};
    return {
      ready: Object.values(checks).every(Boolean),
      checks,
      problems,
      ...(role && { role }),
      ...(Object.keys(connections).length > 0 && { connections }),
    };
  };
}
