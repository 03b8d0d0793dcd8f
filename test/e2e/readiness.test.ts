// /readyz of the running bot: ready when every poll it was built with is scheduled and its store can write; a
// probe that said 503 for ever (a Belvo account configured) would route nothing to the bot.
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeBelvo, startFakeBelvo } from '../fakes/belvo-api.js';
import { BotProcess } from './bot-process.js';

describe('/readyz', () => {
  let belvo: FakeBelvo | undefined;
  let bot: BotProcess | undefined;

  afterEach(async () => {
    await bot?.dispose();
    await belvo?.close();
  });

  async function start(minFree: string) {
    belvo = await startFakeBelvo();
    bot = new BotProcess(
      (dir) => `
server: { host: 127.0.0.1, port: 0 }
storage: { path: ${dir}/state.db, minFree: ${minFree} }
belvo:
  environments:
    - id: sandbox
      url: "${belvo?.url}"
      secretKeyId: { secretEnv: BELVO_ID }
      secretKeyPassword: { secretEnv: BELVO_PASSWORD }
  ingest: { token: { secretEnv: INGEST_TOKEN } }
destinations: [{ id: console, type: console }]
subscriptions: [{ destination: console }]
`,
    );
    bot.start({
      BELVO_ID: belvo.secretKeyId,
      BELVO_PASSWORD: belvo.secretKeyPassword,
      INGEST_TOKEN: 'ingest-token-0123456789abcdef',
    });
    const started = await bot.waitForLog('belvo-status-bot started');
    return fetch(`http://127.0.0.1:${started.port as number}/readyz`);
  }

  it('is ready with a Belvo account, its link checks, reported calls and retention all scheduled', async () => {
    const ready = await start('1mb');
    expect(await ready.json()).toEqual({
      status: 'ready',
      checks: { store: true, sources: true, storageWritable: true, storageSpace: true },
    });
    expect(ready.status).toBe(200);
  });

  it('is not ready when the data directory has less room than storage.minFree', async () => {
    const ready = await start('100000gb');
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      status: 'not_ready',
      checks: { storageSpace: false, storageWritable: true },
      problems: [expect.stringMatching(/bytes free beside storage\.path, under storage\.minFree/)],
    });
  });
});
