// `belvo-status healthcheck`: asks the running bot's /healthz on the port its config names (container health checks).
import { Command } from 'commander';
import { configOption, type Done, examples } from './define.js';
import { configPath, EXIT, loadOrExit } from './load-config.js';

export function healthcheckCommand(done: Done): Command {
  return new Command('healthcheck')
    .summary('exit 0 if the running bot answers on /healthz')
    .description('exit 0 if the running bot answers on its /healthz (the port its config names), else 1')
    .addOption(configOption())
    .addHelpText('after', examples('belvo-status healthcheck --config my-config.yaml'))
    .action(async (opts: { config?: string }) => done(await healthcheck(opts.config)));
}

async function healthcheck(file: string | undefined): Promise<number> {
  const { config } = loadOrExit(configPath(file));
  const host = config.server.host === '0.0.0.0' || config.server.host === '::' ? '127.0.0.1' : config.server.host;
  try {
    const res = await fetch(`http://${host}:${config.server.port}/healthz`, { signal: AbortSignal.timeout(3000) });
    process.stdout.write(`healthz: HTTP ${res.status}\n`);
    return res.ok ? EXIT.ok : EXIT.failure;
  } catch (err) {
    process.stdout.write(`healthz: no answer on ${host}:${config.server.port} (${(err as Error).message})\n`);
    return EXIT.failure;
  }
}
