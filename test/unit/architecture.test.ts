// The layer rules of ARCHITECTURE.md, checked over the code's own import graph: data flows one way (sources ->
// detect -> alerts -> outbox -> delivery -> adapters), the core never reaches into an adapter or a vendor SDK, and
// adapters meet the core only through its ports and domain (chat adapters also through the neutral command grammar).
import { readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { files, importsOf, packageOf } from '../support/imports.js';

/** What each part of the bot may import besides itself (`*`: anything; the composition root and the CLI). */
const MAY_IMPORT: Record<string, string[] | '*'> = {
  'src/domain': [],
  'src/ports': ['src/domain'],
  'src/engine': ['src/domain', 'src/ports'],
  'src/detect': ['src/domain', 'src/ports'],
  'src/alerts': ['src/domain', 'src/ports', 'src/engine'],
  'src/delivery': ['src/domain', 'src/ports'],
  'src/poll': ['src/domain', 'src/ports', 'src/detect', 'src/alerts'],
  'src/webhooks': ['src/domain', 'src/ports'],
  'src/commands': ['src/domain', 'src/ports', 'src/engine', 'src/config'],
  'src/config': ['src/domain'],
  'src/http': ['src/domain', 'src/ports', 'src/webhooks', 'src/detect', 'src/config'],
  'src/web': ['src/domain', 'src/ports', 'src/commands', 'src/http', 'src/config'],
  'src/reporter': [],
  'src/log.ts': ['src/ports'],
  'src/main.ts': '*',
  'src/app': '*',
  'src/cli.ts': '*',
  'src/cli': '*',
  adapters: ['src/domain', 'src/ports'],
  'adapters/slack': ['src/domain', 'src/ports', 'src/commands'],
  'adapters/discord': ['src/domain', 'src/ports', 'src/commands'],
  // The local fakes start their servers the way the bot does.
  simulators: ['src/domain', 'src/ports', 'src/http'],
};

/**
 * Two narrow passages between config and adapters, file to file: an adapter writes its config slice beside it with the
 * config's building blocks, and the root schema composes those slices. Nothing else of either side may cross.
 */
const FILE_PASSAGES: { from: RegExp; to: RegExp }[] = [
  { from: /^adapters\/[^/]+\/config\.ts$/, to: /^src\/config\/fields\.js$/ },
  { from: /^src\/config\/schema\.ts$/, to: /^adapters\/[^/]+\/config\.js$/ },
];

/** Packages the core may use: validation and config files, logs, metrics. Vendor SDKs and databases are adapters'. */
const CORE_PACKAGES = new Set(['zod', 'yaml', 'pino', 'prom-client']);

/** `src/engine/lifecycle.ts` -> `src/engine`; `adapters/slack/render.ts` -> `adapters/slack`; a file at a root is itself. */
function areaOf(path: string): string {
  const parts = path.split('/');
  if (parts[0] === 'simulators') return 'simulators';
  if (parts.length === 2) return path;
  return `${parts[0]}/${parts[1]}`;
}

function rulesFor(area: string): string[] | '*' {
  return MAY_IMPORT[area] ?? (area.startsWith('adapters/') ? (MAY_IMPORT.adapters as string[]) : []);
}

interface Edge {
  from: string;
  to: string;
}

function shippedEdges(): { edges: Edge[]; packages: { file: string; name: string }[] } {
  const edges: Edge[] = [];
  const packages: { file: string; name: string }[] = [];
  for (const root of ['src', 'adapters', 'simulators']) {
    for (const file of files(root)) {
      if (file.endsWith('.test.ts')) continue;
      for (const i of importsOf(file, readFileSync(file, 'utf8'))) {
        const name = packageOf(i.specifier);
        if (name) packages.push({ file, name });
        if (!i.specifier.startsWith('.')) continue;
        const target = relative('.', normalize(join(dirname(file), i.specifier)));
        edges.push({ from: file, to: target });
      }
    }
  }
  return { edges, packages };
}

/** The imports that break a rule, as `from -> to` lines (empty when the code keeps to them). */
function violations(edges: Edge[]): string[] {
  const out: string[] = [];
  for (const { from, to } of edges) {
    const own = areaOf(from);
    const theirs = areaOf(to);
    if (own === theirs) continue;
    const allowed = rulesFor(own);
    if (allowed === '*') continue;
    if (FILE_PASSAGES.some((p) => p.from.test(from) && p.to.test(to))) continue;
    if (!allowed.includes(theirs)) out.push(`${from} -> ${to}`);
  }
  return out;
}

describe('architecture: who may import whom', () => {
  const { edges, packages } = shippedEdges();

  it('every import between parts of the bot follows the layer rules', () => {
    expect(edges.length).toBeGreaterThan(500);
    expect(violations(edges)).toEqual([]);
  });

  it('the core uses no vendor SDK or database driver: those are adapters', () => {
    const core = packages.filter(
      (p) => p.file.startsWith('src/') && !p.file.startsWith('src/cli') && p.file !== 'src/main.ts',
    );
    expect(core.filter((p) => !CORE_PACKAGES.has(p.name) && p.name !== 'belvo-status-reporter')).toEqual([]);
  });

  it('every chat or paging adapter plugs in one way: its config slice and one factory', () => {
    for (const name of ['console', 'slack', 'discord', 'pagerduty']) {
      const config = readFileSync(`adapters/${name}/config.ts`, 'utf8');
      const create = readFileSync(`adapters/${name}/create.ts`, 'utf8');
      expect(config, name).toMatch(/export const \w+ConfigRules: AdapterConfigRules/);
      expect(create, name).toMatch(
        /export function create\w+Adapter\(slice: \w+Slice, (deps|_deps): \w*Deps\b[^)]*\): Adapter/,
      );
      expect(readFileSync('src/config/schema.ts', 'utf8'), name).toContain(`../../adapters/${name}/config.js`);
      expect(readFileSync('src/app/adapters.ts', 'utf8'), name).toContain(`../../adapters/${name}/create.js`);
    }
  });

  it('catches what it is meant to catch', () => {
    expect(
      violations([
        { from: 'src/engine/policy.ts', to: 'adapters/slack/render.js' },
        { from: 'src/delivery/dispatcher.ts', to: 'src/engine/policy.js' },
        { from: 'adapters/slack/render.ts', to: 'adapters/discord/render.js' },
        { from: 'adapters/pagerduty/render-event.ts', to: 'src/commands/reply.js' },
        { from: 'src/domain/alert.ts', to: 'src/ports/store.js' },
        { from: 'src/main.ts', to: 'adapters/sqlite/sqlite-store.js' },
        { from: 'adapters/slack/render-reply.ts', to: 'src/commands/reply.js' },
        { from: 'adapters/slack/config.ts', to: 'src/config/fields.js' },
        { from: 'adapters/slack/render.ts', to: 'src/config/fields.js' },
        { from: 'src/config/schema.ts', to: 'adapters/slack/config.js' },
        { from: 'src/config/load.ts', to: 'adapters/slack/config.js' },
        { from: 'src/config/schema.ts', to: 'adapters/slack/render.js' },
      ]),
    ).toEqual([
      'src/engine/policy.ts -> adapters/slack/render.js',
      'src/delivery/dispatcher.ts -> src/engine/policy.js',
      'adapters/slack/render.ts -> adapters/discord/render.js',
      'adapters/pagerduty/render-event.ts -> src/commands/reply.js',
      'src/domain/alert.ts -> src/ports/store.js',
      'adapters/slack/render.ts -> src/config/fields.js',
      'src/config/load.ts -> adapters/slack/config.js',
      'src/config/schema.ts -> adapters/slack/render.js',
    ]);
  });
});
