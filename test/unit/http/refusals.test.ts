import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createRefusals } from '../../../src/http/refusals.js';
import type { Logger } from '../../../src/ports/logger.js';

function recordingLogger(lines: Record<string, unknown>[]): Logger {
  const logger: Logger = {
    debug() {},
    info() {},
    warn: (obj) => lines.push(obj as Record<string, unknown>),
    error() {},
    child: () => logger,
  };
  return logger;
}

describe('refused requests in the log', () => {
  it('one line a minute per route and reason, the next one saying how many were refused in between', () => {
    const lines: Record<string, unknown>[] = [];
    let now = 0;
    const refusals = createRefusals(new Registry(), recordingLogger(lines), () => now);
    for (let i = 0; i < 1000; i++) refusals.refused('/slack/events', 'invalid_signature', 401, 'signature mismatch');
    refusals.refused('/slack/events', 'replayed_request', 401);
    now = 61_000;
    refusals.refused('/slack/events', 'invalid_signature', 401);
    expect(lines).toEqual([
      { route: '/slack/events', reason: 'invalid_signature', status: 401, detail: 'signature mismatch' },
      { route: '/slack/events', reason: 'replayed_request', status: 401 },
      { route: '/slack/events', reason: 'invalid_signature', status: 401, refusedSinceLastLine: 999 },
    ]);
  });
});
