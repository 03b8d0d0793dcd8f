import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../../adapters/sqlite/sqlite-store.js';
import type { StatusPageSnapshot } from '../../../src/domain/status-page.js';
import { DEFAULT_ENGINE_CONFIG, type EngineConfig } from '../../../src/engine/engine-config.js';
import { StatusPagePoller } from '../../../src/poll/poll-status-page.js';
import { silentLogger } from '../../../src/ports/logger.js';
import { noMetrics } from '../../../src/ports/metrics.js';
import type { StatusPageReader, StatusPageReadResult } from '../../../src/ports/source.js';
import { type Store, StoreConflictError } from '../../../src/ports/store.js';

const page = (status: string): StatusPageSnapshot => ({
  page: { name: 'Belvo API' },
  components: [{ id: 'c1', name: 'API', status }],
  incidents: [],
  maintenances: [],
  incidentsComplete: true,
  maintenancesComplete: true,
});

/** A reader that answers from a script; `same` returns the previous snapshot object, as a 304 does. */
class ScriptedReader implements StatusPageReader {
  readonly sourceId = 'api';
  private last?: StatusPageSnapshot;
  constructor(private readonly script: (StatusPageSnapshot | 'same' | 'fail')[]) {}
  async read(): Promise<StatusPageReadResult> {
    const next = this.script.shift() ?? 'same';
    if (next === 'fail') return { ok: false, error: { code: 'timeout', message: 'no answer within 10 ms' } };
    if (next === 'same' && this.last) return { ok: true, snapshot: this.last, unchanged: true, cursors: [] };
    this.last = next === 'same' ? page('operational') : next;
    return { ok: true, snapshot: this.last, unchanged: false, cursors: [{ key: 'k', etag: '"1"', fetchedAt: 0 }] };
  }
}

describe('one poll of a status page', () => {
  let store: Store;
  let commits = 0;
  let conflicts = 0;
  let now = 0;

  beforeEach(async () => {
    commits = 0;
    conflicts = 0;
    now = 1_000_000;
    const inner = createSqliteStore({ path: ':memory:' });
    await inner.init();
    // Counts commits, and can make the next ones fail as if another writer got there first.
    store = new Proxy(inner, {
      get(target, prop, receiver) {
        if (prop === 'commitEvaluation') {
          return async (...args: Parameters<Store['commitEvaluation']>) => {
            commits++;
            if (conflicts > 0) {
              conflicts--;
              throw new StoreConflictError('changed since read');
            }
            return target.commitEvaluation(...args);
          };
        }
        return Reflect.get(target, prop, receiver);
      },
    });
  });
  afterEach(() => store.close());

  function poller(reader: StatusPageReader, engine: EngineConfig = DEFAULT_ENGINE_CONFIG) {
    const intents: number[] = [];
    const p = new StatusPagePoller(
      {
        id: 'api',
        name: 'Belvo API',
        role: 'api',
        url: 'https://status.belvo.com',
        failuresBeforeAlert: 2,
        timeoutMs: 1000,
      },
      reader,
      {
        store,
        clock: { now: () => (now += 60_000) },
        logger: silentLogger,
        metrics: noMetrics,
        engine,
        routing: {
          configSubscriptions: [{ id: 's', destination: 'console', filter: {}, createdAt: 0 }],
          configSilences: [],
        },
        onIntents: () => intents.push(1),
      },
    );
    return { p, intents };
  }

  it('an unchanged page whose last evaluation changed nothing costs no store write', async () => {
    const { p } = poller(new ScriptedReader([page('operational'), 'same', 'same', 'same']));
    await p.poll(); // first sight: recorded
    await p.poll(); // unchanged, evaluated once: nothing moves
    const settled = commits;
    expect((await p.poll()).outcome).toBe('unchanged');
    expect((await p.poll()).outcome).toBe('unchanged');
    expect(commits).toBe(settled);
  });

  it('an unchanged page still counts towards thresholds while something is pending', async () => {
    const engine: EngineConfig = {
      ...DEFAULT_ENGINE_CONFIG,
      thresholds: { ...DEFAULT_ENGINE_CONFIG.thresholds, byKind: { 'statuspage.component': { fail: 3, ok: 2 } } },
    };
    const { p } = poller(new ScriptedReader([page('operational'), page('partial_outage'), 'same', 'same']), engine);
    await p.poll();
    expect((await p.poll()).events).toBe(0);
    expect((await p.poll()).events).toBe(0);
    const third = await p.poll();
    // The component fires, and opens the Belvo API incident that speaks for it: one message.
    expect(third).toMatchObject({ outcome: 'unchanged', events: 2, intents: 1 });
    const firing = (await store.listAlerts({ states: ['firing'] })).map((a) => a.title).sort();
    expect(firing).toEqual(['API: partial outage', 'Belvo API: API: partial outage']);
  });

  it('an alert changed by someone else meanwhile is evaluated again, not lost', async () => {
    const { p, intents } = poller(new ScriptedReader([page('operational'), page('major_outage')]));
    await p.poll();
    conflicts = 1;
    const report = await p.poll();
    expect(report).toMatchObject({ outcome: 'ok', events: 2, intents: 1 });
    expect(intents).toHaveLength(1);
    expect((await store.listIntents()).map((i) => i.event.type)).toEqual(['opened']);
  });

  it('a failed read keeps the alerts, stores no cursor and counts towards the health alert', async () => {
    const { p } = poller(new ScriptedReader([page('major_outage'), 'fail', 'fail']));
    await p.poll();
    expect((await p.poll()).outcome).toBe('failed');
    expect(await store.getSourceState('api')).toMatchObject({
      consecutiveFailures: 1,
      lastError: 'no answer within 10 ms',
    });
    const second = await p.poll();
    expect(second).toMatchObject({ outcome: 'failed', events: 1 });
    const firing = (await store.listAlerts({ states: ['firing'] })).map((a) => a.title).sort();
    expect(firing).toEqual(['API: major outage', 'Belvo API cannot be read', 'Belvo API: API: major outage']);
  });
});
