import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeDiscord, startFakeDiscord } from '../../test/fakes/discord-api.js';
import { registerCommands } from './register-commands.js';

let fake: FakeDiscord;
beforeEach(async () => {
  fake = await startFakeDiscord({ botToken: 'tok' });
});
afterEach(() => fake.close());

describe('register-commands', () => {
  it('globally: replaces the application commands with /belvo-status, the same tree every time', async () => {
    const opts = { apiUrl: fake.apiUrl, token: 'tok', applicationId: fake.applicationId };
    const first = await registerCommands(opts);
    const tree = JSON.stringify(fake.commands.get('global'));
    const second = await registerCommands(opts);
    expect(second).toBe(first);
    expect(first).toMatch(/^Registered \/belvo-status for application \d+ globally/);
    expect(JSON.stringify(fake.commands.get('global'))).toBe(tree);
    expect(fake.callsTo('PUT /applications/:application/commands')).toHaveLength(2);
  });
});
