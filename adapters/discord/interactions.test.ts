import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ParsedCommand } from '../../src/commands/grammar.js';
import type { Logger } from '../../src/ports/logger.js';
import { type FakeDiscord, startFakeDiscord } from '../../test/fakes/discord-api.js';
import { DiscordClient } from './client.js';
import { commandText, commandTree } from './command-tree.js';
import { createInteractionHandler } from './interactions.js';

const silent = { info() {}, warn() {}, error() {}, debug() {}, child: () => silent } as unknown as Logger;
let fake: FakeDiscord;

beforeEach(async () => {
  fake = await startFakeDiscord({});
});
afterEach(() => fake.close());

const slash = (sub: string, options: { name: string; type: number; value: unknown }[] = []) => ({
  type: 2,
  token: 'itoken-1',
  channel_id: '100000000000000001',
  member: { user: { id: '7', username: 'ana' } },
  data: { name: 'belvo-status', options: [{ name: sub, type: 1, options }] },
});

function handler(run: (cmd: ParsedCommand) => Promise<{ title: string; public?: boolean }>) {
  return createInteractionHandler({
    applicationId: fake.applicationId,
    client: new DiscordClient({ apiUrl: fake.apiUrl }),
    logger: silent,
    followUpAfterMs: 50,
    run: async (cmd) => {
      const r = await run(cmd);
      return { visibility: cmd.public ? 'in_channel' : 'ephemeral', title: r.title, sections: [] };
    },
  });
}

describe('Discord interactions', () => {
  it('a slow command is deferred (privately) and its answer edited into the original response', async () => {
    let finish!: () => void;
    const done = new Promise<void>((r) => {
      finish = r;
    });
    const handle = handler(async () => {
      await done;
      return { title: 'Belvo status: all clear' };
    });
    const result = await handle(slash('status'));
    expect(result).toEqual({ ok: true, response: { type: 5, data: { flags: 64 } } });
    finish();
    const deadline = Date.now() + 2000;
    while (fake.interactionMessages.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(fake.interactionMessages).toEqual([
      {
        token: 'itoken-1',
        kind: 'original',
        body: expect.objectContaining({ embeds: [expect.objectContaining({ title: 'Belvo status: all clear' })] }),
      },
    ]);
  });

  it('a slow public command is deferred for everyone to see', async () => {
    const handle = handler(() => new Promise((r) => setTimeout(() => r({ title: 'x' }), 200)));
    const result = await handle(slash('status', [{ name: 'public', type: 5, value: true }]));
    expect(result).toEqual({ ok: true, response: { type: 5 } });
  });

  it('the subcommand and its options become the text the shared grammar reads', async () => {
    const seen: ParsedCommand[] = [];
    const handle = handler(async (cmd) => {
      seen.push(cmd);
      return { title: 'ok' };
    });
    await handle(
      slash('silence', [
        { name: 'args', type: 3, value: ' A12 2h bank migration ' },
        { name: 'public', type: 5, value: true },
      ]),
    );
    expect(seen[0]).toMatchObject({
      kind: 'silence',
      target: { type: 'alert', alertId: 'A12' },
      reason: 'bank migration',
      public: true,
    });
    expect(commandText(undefined)).toBe('');
  });

  it('anything else is not ours to answer', async () => {
    const handle = handler(async () => ({ title: 'ok' }));
    expect((await handle({ type: 4 })).ok).toBe(false);
    expect((await handle({ ...slash('status'), data: { name: 'other' } })).ok).toBe(false);
  });

  it("the command tree keeps to Discord's limits: 25 options, descriptions of 100 characters", () => {
    const [root] = commandTree();
    expect(root && 'options' in root ? root.options?.length : 0).toBe(12);
    const all = JSON.stringify(root);
    for (const d of all.matchAll(/"description":"([^"]*)"/g)) expect(d[1]?.length).toBeLessThanOrEqual(100);
  });
});
