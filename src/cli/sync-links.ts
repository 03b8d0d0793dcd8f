// `belvo-status sync-links`: a full listing of the team's links into the store, now, for every Belvo environment (or
// one). The running bot does it on its own when Belvo's counts drift from what it knows; this is for when on-call
// wants it at once (after restoring a backup, after a webhook outage). Safe beside a running bot (SQLite WAL).
import { Command } from 'commander';
import { configOption, type Done, examples } from './define.js';
import { configPath, loadOrExit } from './load-config.js';

export function syncLinksCommand(done: Done): Command {
  return new Command('sync-links')
    .summary('list every Belvo link into the store now')
    .description(
      "list every Belvo link into the store now (the running bot does it when Belvo's counts drift from what it knows)",
    )
    .addOption(configOption())
    .option('--env <id>', 'only this Belvo environment (default: every one in the config)')
    .addHelpText('after', examples('belvo-status sync-links --env production --config my-config.yaml'))
    .action(async (opts: { config?: string; env?: string }) => done(await syncLinksNow(opts.config, opts.env)));
}

async function syncLinksNow(file: string | undefined, only: string | undefined): Promise<number> {
  const { config, secrets } = loadOrExit(configPath(file));
  const environments = (config.belvo?.environments ?? []).filter((e) => !only || e.id === only);
  if (environments.length === 0) {
    process.stderr.write(
      only ? `no Belvo environment "${only}" in the config\n` : 'no belvo.environments in the config\n',
    );
    return 2;
  }
  const { belvoApiFor } = await import('../../adapters/belvo/api/for-environment.js');
  const { openStore } = await import('./open-store.js');
  const { createLogger } = await import('../log.js');
  const { syncLinks } = await import('../poll/belvo-links.js');
  const logger = createLogger({ level: 'warn', secrets: secrets.values() });
  const { store } = await openStore(config, secrets);
  await store.init();
  let failed = false;
  try {
    for (const env of environments) {
      const api = belvoApiFor(env, secrets, logger); // its lines name the environment
      try {
        const started = Date.now();
        const { listed, gone } = await syncLinks(store, api, env.id, Date.now());
        const counts = await store.linkStatusCounts(env.id);
        const by = new Map<string, number>();
        for (const c of counts) by.set(c.status, (by.get(c.status) ?? 0) + c.count);
        const summary = [...by].map(([status, n]) => `${n} ${status}`).join(', ');
        process.stdout.write(
          `${env.id}: ${listed} links listed in ${Date.now() - started} ms (${summary || 'none'})` +
            `${gone > 0 ? `; ${gone} no longer listed by Belvo, left out of the counts` : ''}\n`,
        );
      } catch (err) {
        failed = true;
        process.stdout.write(`${env.id}: sync failed: ${err instanceof Error ? err.message : String(err)}\n`);
      }
    }
  } finally {
    await store.close();
  }
  return failed ? 1 : 0;
}
