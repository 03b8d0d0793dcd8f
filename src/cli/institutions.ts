// `belvo-status institutions`: the institution catalogue as the bot would build it, read live: every component of
// the institution status pages next to the Belvo institution it joins (and how), and what it could not join, so a
// person can add the missing names under `institutions.map`.
import { Command } from 'commander';
import { type CatalogueMatch, InstitutionCatalogue } from '../domain/catalogue.js';
import { configOption, type Done, examples } from './define.js';
import { configPath, loadOrExit } from './load-config.js';

export function institutionsCommand(done: Done): Command {
  return new Command('institutions')
    .summary("how status-page names join Belvo's")
    .description(
      'the institution catalogue, read live: each status-page component next to the Belvo institution it joins, and the ones it cannot join (add them under institutions.map)',
    )
    .addOption(configOption())
    .addHelpText('after', examples('belvo-status institutions --config my-config.yaml'))
    .action(async (opts: { config?: string }) => done(await printInstitutions(opts.config)));
}

function line(m: CatalogueMatch): string {
  const where = m.component.group ? ` (${m.component.group})` : '';
  const what = `${m.component.name}${where}`;
  if (m.institution) return `  ${what} -> ${m.institution.name}${m.how === 'config' ? ' (institutions.map)' : ''}`;
  if (m.how === 'ambiguous') return `  ${what}: ambiguous, could be ${m.candidates?.join(' or ')}`;
  return `  ${what}: no Belvo institution with that name`;
}

async function printInstitutions(file: string | undefined): Promise<number> {
  const { config, secrets } = loadOrExit(configPath(file));
  const { belvoApiFor } = await import('../../adapters/belvo/api/for-environment.js');
  const { createStatusPageReader } = await import('../../adapters/statuspage/reader.js');
  const { createLogger } = await import('../log.js');
  const logger = createLogger({ level: 'error', secrets: secrets.values() });
  const catalogue = new InstitutionCatalogue(config.institutions.map);
  let failed = false;
  for (const env of config.belvo?.environments ?? []) {
    try {
      const api = belvoApiFor(env, secrets, logger, { maxTries: 2, baseDelayMs: 500 });
      catalogue.addApiInstitutions(await api.listInstitutions());
    } catch (err) {
      failed = true;
      process.stdout.write(
        `${env.id}: institutions could not be listed: ${err instanceof Error ? err.message : String(err)}\n`,
      );
    }
  }
  process.stdout.write(`Belvo institutions known: ${catalogue.size}\n`);
  for (const source of config.sources.filter((s) => s.role === 'institutions')) {
    const reader = createStatusPageReader({
      sourceId: source.id,
      baseUrl: source.url,
      format: source.format,
      timeoutMs: source.timeout,
      maxBodyBytes: source.maxBodySize,
      cursors: { get: async () => undefined },
    });
    const read = await reader.read(AbortSignal.timeout(source.timeout * 4));
    if (!read.ok) {
      failed = true;
      process.stdout.write(`${source.id}: could not be read: ${read.error.message}\n`);
      continue;
    }
    const matches = (read.snapshot.components ?? []).map((c) =>
      catalogue.match({ name: c.name, ...(c.groupName && { group: c.groupName }) }),
    );
    const joined = matches.filter((m) => m.institution);
    const missing = matches.filter((m) => !m.institution);
    process.stdout.write(
      `\n${source.name}: ${matches.length} components, ${joined.length} joined, ${missing.length} not joined\n`,
    );
    if (missing.length) {
      process.stdout.write('Not joined (add them under institutions.map: "<component name>": <belvo name>):\n');
      for (const m of missing) process.stdout.write(`${line(m)}\n`);
    }
    if (joined.length) {
      process.stdout.write('Joined:\n');
      for (const m of joined) process.stdout.write(`${line(m)}\n`);
    }
  }
  return failed ? 1 : 0;
}
