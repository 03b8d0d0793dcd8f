// What the bot reads, named for the page's health section: the configured status pages and, per Belvo environment,
// its institution health and its links, and the team's reported calls.
import type { Config } from '../config/schema.js';
import type { WebSource } from './page-data.js';

export function webSources(
  config: Config,
  polled: { institutions: { id: string }[]; links: { id: string }[]; calls?: { id: string } | undefined },
): WebSource[] {
  const envs = config.belvo?.environments ?? [];
  return [
    ...config.sources.map((s) => ({ id: s.id, name: s.name, role: s.role })),
    ...polled.institutions.map((p, i) => ({
      id: p.id,
      name: `Belvo ${envs[i]?.id ?? ''}`.trim(),
      role: 'belvo-institutions' as const,
    })),
    ...polled.links.map((p, i) => ({
      id: p.id,
      name: `Links ${envs[i]?.id ?? ''}`.trim(),
      role: 'belvo-links' as const,
    })),
    ...(polled.calls ? [{ id: polled.calls.id, name: 'Reported calls', role: 'belvo-calls' as const }] : []),
  ];
}
