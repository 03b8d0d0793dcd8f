// The interactions endpoint as Discord (or someone replaying Discord's requests) meets it on the bot's server.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpServer } from '../../src/http/server.js';
import { silentLogger } from '../../src/ports/logger.js';
import type { SeenRequests } from '../../src/ports/seen-requests.js';
import { createInteractionSigner } from '../../test/support/signers.js';
import { createSqliteStore } from '../sqlite/sqlite-store.js';
import { DiscordClient } from './client.js';
import { createInteractionHandler } from './interactions.js';
import { INTERACTIONS_PATH, mountDiscordInteractions } from './interactions-route.js';
import { discordPublicKey } from './verify.js';

const signer = createInteractionSigner();
const servers: HttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A bot's endpoint; `ran` lists the commands it ran. */
async function endpoint(seen?: SeenRequests) {
  const ran: string[] = [];
  const server = new HttpServer({ host: '127.0.0.1', port: 0, bodyLimitBytes: 100_000, logger: silentLogger });
  mountDiscordInteractions(server.router, {
    publicKey: discordPublicKey(signer.publicKeyHex),
    handle: createInteractionHandler({
      applicationId: '1',
      client: new DiscordClient({ apiUrl: 'http://127.0.0.1:9/api/v10' }),
      logger: silentLogger,
      run: async (cmd) => {
        ran.push(cmd.kind);
        return { visibility: 'ephemeral', title: 'ok', sections: [] };
      },
    }),
    logger: silentLogger,
    ...(seen && { seen }),
  });
  servers.push(server);
  const url = `http://127.0.0.1:${(await server.listen()).port}${INTERACTIONS_PATH}`;
  const post = (body: string, headers = signer.headers(body)) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { ran, post };
}

const command = (options: unknown) =>
  JSON.stringify({
    type: 2,
    token: 'itoken',
    channel_id: '100000000000000001',
    member: { user: { id: '7', username: 'ana' } },
    data: { name: 'belvo-status', options },
  });

describe('Discord interactions endpoint', () => {
  it.each([
    ['an option list that is not a list', command('status')],
    ['a subcommand option of the wrong type', command([{ name: 'silence', type: 1, options: 'A1 2h' }])],
    [
      'a custom_id that is a number',
      JSON.stringify({ type: 3, channel_id: '1', user: { id: '7' }, data: { custom_id: 7 } }),
    ],
    ['a type that is text', JSON.stringify({ type: 'ping' })],
  ])('a signed but malformed interaction (%s) is a 400 and runs nothing', async (_what, body) => {
    const bot = await endpoint();
    const res = await bot.post(body);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'malformed_interaction' });
    expect(bot.ran).toEqual([]);
  });

  it('a signed command replayed after the bot restarted is refused (the store remembers it)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'belvo-discord-replay-'));
    try {
      const body = command([{ name: 'status', type: 1 }]);
      const headers = signer.headers(body);
      const first = createSqliteStore({ path: join(dir, 'bot.db') });
      await first.init();
      const before = await endpoint(first);
      expect((await before.post(body, headers)).status).toBe(200);
      await first.close();

      const again = createSqliteStore({ path: join(dir, 'bot.db') });
      await again.init();
      const after = await endpoint(again);
      const replay = await after.post(body, headers);
      expect(replay.status).toBe(401);
      expect(await replay.json()).toEqual({ error: 'replayed_request' });
      expect([...before.ran, ...after.ran]).toEqual(['status']);
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
