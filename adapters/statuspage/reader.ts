// Reads one Statuspage page through the configured feed, cheaply: a conditional GET per URL, the last parsed document
// per URL kept in memory (a 304 costs no parse), and the very same snapshot object returned while nothing changed, so
// callers can memoize on identity. After a restart the stored cursor body stands in for the memory, parsed once.
import type { Dispatcher } from 'undici';
import type { StatusPageSnapshot } from '../../src/domain/status-page.js';
import { type Clock, systemClock } from '../../src/ports/clock.js';
import type {
  CursorAccess,
  FeedCursor,
  SourceFailure,
  StatusPageReader,
  StatusPageReadResult,
} from '../../src/ports/source.js';
import { type FeedExpectation, fetchFeed } from './fetch-feed.js';
import { parseIncidents, parseMaintenances, parseSummary, type SummaryDoc, snapshotFromJson } from './parse-json.js';

/** Statuspage public API paths; https://doers.statuspage.io/api/v2/ */
export const STATUSPAGE_PATHS = {
  summary: '/api/v2/summary.json',
  incidents: '/api/v2/incidents.json',
  maintenances: '/api/v2/scheduled-maintenances.json',
  rss: '/history.rss',
  atom: '/history.atom',
} as const;

export type StatusPageFormat = 'json' | 'rss' | 'atom';

export interface StatusPageReaderOptions {
  sourceId: string;
  /** The page's root, e.g. `https://institutions.belvo.com`. */
  baseUrl: string;
  format: StatusPageFormat;
  /** Per request (the URLs of one read go in parallel). */
  timeoutMs: number;
  maxBodyBytes: number;
  cursors: CursorAccess;
  dispatcher?: Dispatcher;
  clock?: Clock;
}

interface Endpoint {
  name: string;
  url: string;
  cursorKey: string;
  expect: FeedExpectation;
  /** A 404 means "this page does not offer it": read on without it. */
  optional: boolean;
  parse(body: string): unknown | Promise<unknown>;
}

/** What is known about one URL; `absent` is an optional URL that answered 404. */
type UrlState =
  | { kind: 'doc'; body: string; parsed: unknown; etag?: string; lastModified?: string }
  | { kind: 'absent' };

type UrlOutcome =
  | { ok: true; state: UrlState; same: boolean; cursor?: FeedCursor }
  | { ok: false; error: SourceFailure };

function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}

export function cursorKey(sourceId: string, url: string): string {
  return `statuspage:${sourceId}:${new URL(url).pathname}`;
}

function malformed(endpoint: Endpoint, error: unknown): SourceFailure {
  const reason = error instanceof Error ? error.message : String(error);
  return { code: 'malformed', message: `${endpoint.name}: ${reason.slice(0, 200)}` };
}

async function feedParser(body: string, format: 'rss' | 'atom'): Promise<StatusPageSnapshot> {
  const { parseFeed } = await import('./parse-feed.js');
  return parseFeed(body, format);
}

function endpointsFor(opts: StatusPageReaderOptions): Endpoint[] {
  const make = (
    name: string,
    path: string,
    expect: FeedExpectation,
    optional: boolean,
    parse: Endpoint['parse'],
  ): Endpoint => {
    const url = joinUrl(opts.baseUrl, path);
    return { name, url, cursorKey: cursorKey(opts.sourceId, url), expect, optional, parse };
  };
  switch (opts.format) {
    case 'json':
      return [
        make('summary.json', STATUSPAGE_PATHS.summary, 'json', false, parseSummary),
        // Both lists only add resolved history to what summary.json already says about open incidents and active or
        // upcoming maintenances: a page (or proxy) without them (404) is still read, from the summary alone.
        make('incidents.json', STATUSPAGE_PATHS.incidents, 'json', true, parseIncidents),
        make('scheduled-maintenances.json', STATUSPAGE_PATHS.maintenances, 'json', true, parseMaintenances),
      ];
    // The feed parser is loaded by the first feed read: a bot reading the JSON API never needs it.
    case 'rss':
      return [make('history.rss', STATUSPAGE_PATHS.rss, 'xml', false, async (body) => feedParser(body, 'rss'))];
    case 'atom':
      return [make('history.atom', STATUSPAGE_PATHS.atom, 'xml', false, async (body) => feedParser(body, 'atom'))];
  }
}

function assemble(format: StatusPageFormat, states: UrlState[]): StatusPageSnapshot {
  const parsed = states.map((s) => (s.kind === 'doc' ? s.parsed : undefined));
  if (format !== 'json') return parsed[0] as StatusPageSnapshot;
  const [summary, incidents, maintenances] = parsed as [
    SummaryDoc,
    ReturnType<typeof parseIncidents> | undefined,
    ReturnType<typeof parseMaintenances> | undefined,
  ];
  return snapshotFromJson({
    summary,
    ...(incidents && { incidents }),
    ...(maintenances && { maintenances }),
  });
}

class Reader implements StatusPageReader {
  readonly sourceId: string;
  private readonly endpoints: Endpoint[];
  private readonly clock: Clock;
  /** Committed only when a whole read succeeds, so "unchanged" always compares with the last returned snapshot. */
  private readonly memory = new Map<string, UrlState>();
  private lastSnapshot: StatusPageSnapshot | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: StatusPageReaderOptions) {
    this.sourceId = opts.sourceId;
    this.endpoints = endpointsFor(opts);
    this.clock = opts.clock ?? systemClock;
  }

  read(signal: AbortSignal): Promise<StatusPageReadResult> {
    // One read at a time: two interleaved reads would commit each other's half-states.
    const run = this.queue.then(() => this.readNow(signal));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async readNow(signal: AbortSignal): Promise<StatusPageReadResult> {
    // The first failure stops the others: the read fails as a whole anyway.
    const stop = new AbortController();
    const linked = AbortSignal.any([signal, stop.signal]);
    let firstError: SourceFailure | undefined;
    const outcomes = await Promise.all(
      this.endpoints.map(async (endpoint) => {
        const outcome = await this.readUrl(endpoint, linked);
        if (!outcome.ok && firstError === undefined) {
          firstError = outcome.error;
          stop.abort();
        }
        return outcome;
      }),
    );
    // A broken URL is a failed poll, never a partial snapshot that would look like a recovery.
    if (firstError !== undefined) return { ok: false, error: firstError };

    const cursors: FeedCursor[] = [];
    const states: UrlState[] = [];
    let allSame = true;
    outcomes.forEach((outcome, i) => {
      if (!outcome.ok) return;
      this.memory.set(this.endpoints[i]!.cursorKey, outcome.state);
      states.push(outcome.state);
      if (outcome.cursor) cursors.push(outcome.cursor);
      allSame &&= outcome.same;
    });
    if (allSame && this.lastSnapshot !== undefined) {
      return { ok: true, snapshot: this.lastSnapshot, unchanged: true, cursors };
    }
    this.lastSnapshot = assemble(this.opts.format, states);
    return { ok: true, snapshot: this.lastSnapshot, unchanged: false, cursors };
  }

  private async parse(endpoint: Endpoint, body: string): Promise<{ parsed: unknown } | { error: SourceFailure }> {
    try {
      return { parsed: await endpoint.parse(body) };
    } catch (error) {
      return { error: malformed(endpoint, error) };
    }
  }

  /** The stored cursor, when it still has the body its validators stand for. */
  private async storedCursor(endpoint: Endpoint): Promise<FeedCursor | undefined> {
    try {
      const cursor = await this.opts.cursors.get(endpoint.cursorKey);
      return cursor?.body !== undefined ? cursor : undefined;
    } catch {
      return undefined; // an unreadable store costs one unconditional GET, not a failed poll
    }
  }

  private async readUrl(endpoint: Endpoint, signal: AbortSignal, conditional = true): Promise<UrlOutcome> {
    const known = this.memory.get(endpoint.cursorKey);
    const remembered = known?.kind === 'doc' ? known : undefined;
    const stored = conditional && known === undefined ? await this.storedCursor(endpoint) : undefined;
    const validators = conditional ? (remembered ?? stored) : undefined;

    const result = await fetchFeed({
      url: endpoint.url,
      ...(validators && { cursor: { etag: validators.etag, lastModified: validators.lastModified } }),
      timeoutMs: this.opts.timeoutMs,
      maxBodyBytes: this.opts.maxBodyBytes,
      expect: endpoint.expect,
      signal,
      ...(this.opts.dispatcher && { dispatcher: this.opts.dispatcher }),
    });

    if (result.kind === 'failed') {
      if (endpoint.optional && result.error.status === 404) {
        return { ok: true, state: { kind: 'absent' }, same: known?.kind === 'absent' };
      }
      return { ok: false, error: result.error };
    }

    if (result.kind === 'not_modified') {
      if (remembered) return { ok: true, state: remembered, same: true };
      if (stored?.body !== undefined) {
        const parsed = await this.parse(endpoint, stored.body);
        // A stored body that no longer parses (older version, corruption): fetch it afresh, unconditionally.
        if ('error' in parsed) return this.readUrl(endpoint, signal, false);
        const state: UrlState = { kind: 'doc', body: stored.body, parsed: parsed.parsed };
        if (stored.etag) state.etag = stored.etag;
        if (stored.lastModified) state.lastModified = stored.lastModified;
        return { ok: true, state, same: false };
      }
      return {
        ok: false,
        error: { code: 'http_status', status: 304, message: `${endpoint.name}: 304 to a request without validators` },
      };
    }

    const cursor: FeedCursor = { key: endpoint.cursorKey, body: result.body, fetchedAt: this.clock.now() };
    if (result.etag) cursor.etag = result.etag;
    if (result.lastModified) cursor.lastModified = result.lastModified;
    const validatorsOf = (state: UrlState & { kind: 'doc' }) => {
      if (result.etag) state.etag = result.etag;
      if (result.lastModified) state.lastModified = result.lastModified;
      return state;
    };

    if (remembered && remembered.body === result.body) {
      // Same bytes (a server without validators): keep the parsed document, take the new validators.
      return {
        ok: true,
        state: validatorsOf({ kind: 'doc', body: result.body, parsed: remembered.parsed }),
        same: true,
        cursor,
      };
    }
    const parsed = await this.parse(endpoint, result.body);
    if ('error' in parsed) return { ok: false, error: parsed.error };
    return {
      ok: true,
      state: validatorsOf({ kind: 'doc', body: result.body, parsed: parsed.parsed }),
      same: false,
      cursor,
    };
  }
}

/** A reader for one configured Statuspage page; see the file comment for the caching contract. */
export function createStatusPageReader(opts: StatusPageReaderOptions): StatusPageReader {
  new URL(opts.baseUrl); // fail at start on a base URL that is not one
  return new Reader(opts);
}
