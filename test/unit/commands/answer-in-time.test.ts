import { describe, expect, it } from 'vitest';
import { answerInTime, FAILED_REPLY } from '../../../src/commands/answer-in-time.js';
import type { Reply } from '../../../src/commands/reply.js';
import type { Logger } from '../../../src/ports/logger.js';

const reply: Reply = { visibility: 'ephemeral', title: 'Belvo status: all clear', sections: [] };

function recordingLogger(lines: unknown[][]): Logger {
  const logger: Logger = {
    trace: () => {},
    debug: () => {},
    info: () => {},
    warn: () => {},
    error: (obj: unknown, msg?: string) => void lines.push([obj, msg]),
    fatal: () => {},
    child: () => logger,
  } as unknown as Logger;
  return logger;
}

describe('answering a chat command in time', () => {
  it('a quick command is answered at once', async () => {
    expect(await answerInTime(Promise.resolve(reply), recordingLogger([]), {}, 50)).toEqual({ quick: reply });
  });

  it('a slow one is deferred, its answer following when ready', async () => {
    const slow = new Promise<Reply>((r) => setTimeout(() => r(reply), 120));
    const timed = await answerInTime(slow, recordingLogger([]), {}, 20);
    expect('later' in timed && (await timed.later)).toEqual(reply);
  });

  it('a failing one gets a short apology and is logged with its context, never a stack trace in chat', async () => {
    const lines: unknown[][] = [];
    const timed = await answerInTime(
      Promise.reject(new Error('disk I/O error')),
      recordingLogger(lines),
      { channel: 'C1' },
      50,
    );
    expect(timed).toEqual({ quick: FAILED_REPLY });
    expect(FAILED_REPLY.title).toBe('Something went wrong answering that. It has been logged; please try again.');
    expect(lines).toHaveLength(1);
    expect(lines[0]?.[1]).toBe('/belvo-status failed');
    expect(lines[0]?.[0]).toMatchObject({ channel: 'C1' });
  });
});
