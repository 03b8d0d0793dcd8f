// `belvo-status healthcheck`: asks the running bot's /healthz on the port its config names (container health checks).
import { parseArgs } from 'node:util';
import { configPath, EXIT, loadOrExit } from './load-config.js';

export async function healthcheckCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' } } });
  const { config } = loadOrExit(configPath(values.config));
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
