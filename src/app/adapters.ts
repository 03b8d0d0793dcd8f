// The chat and paging adapters the config asks for, each built by its one factory from its own config slice. Their
// libraries are loaded only when configured: Slack's and Discord's SDKs are tens of MB a console-only bot does not need.
import type { CommandRunner } from '../commands/handlers.js';
import type { Config } from '../config/schema.js';
import type { Adapter, AdapterDeps } from '../ports/adapter.js';
import type { Notifier } from '../ports/notifier.js';

type Destination = Config['destinations'][number];
type OfType<T extends Destination['type']> = Extract<Destination, { type: T }>;

function ofType<T extends Destination['type']>(config: Config, ...types: T[]): OfType<T>[] {
  return config.destinations.filter((d): d is OfType<T> => (types as string[]).includes(d.type));
}

export interface AdapterSet {
  readonly all: Adapter[];
  /** Every config destination's notifier. */
  readonly notifiers: Notifier[];
  /** A notifier for a destination subscribed from chat, from whichever adapter owns it. */
  resolve(destination: string): Notifier | undefined;
}

export async function loadAdapters(
  config: Config,
  deps: AdapterDeps & { commands: CommandRunner },
  opts: { consoleFd?: number } = {},
): Promise<AdapterSet> {
  const all: Adapter[] = [];
  const console = ofType(config, 'console');
  if (console.length > 0) {
    const { createConsoleAdapter } = await import('../../adapters/console/create.js');
    all.push(
      createConsoleAdapter({ destinations: console }, deps, {
        ...(opts.consoleFd !== undefined && { fd: opts.consoleFd }),
      }),
    );
  }
  const slack = ofType(config, 'slack');
  if (config.slack || slack.length > 0) {
    const { createSlackAdapter } = await import('../../adapters/slack/create.js');
    all.push(createSlackAdapter({ app: config.slack, destinations: slack }, deps));
  }
  const discord = ofType(config, 'discord', 'discord-webhook');
  if (config.discord || discord.length > 0) {
    const { createDiscordAdapter } = await import('../../adapters/discord/create.js');
    all.push(createDiscordAdapter({ app: config.discord, destinations: discord }, deps));
  }
  const pagerduty = ofType(config, 'pagerduty');
  if (config.pagerduty || pagerduty.length > 0) {
    const { createPagerDutyAdapter } = await import('../../adapters/pagerduty/create.js');
    all.push(createPagerDutyAdapter({ app: config.pagerduty, destinations: pagerduty }, deps));
  }
  return {
    all,
    notifiers: all.flatMap((a) => a.notifiers),
    resolve: (destination) => {
      for (const a of all) {
        const n = a.resolve(destination);
        if (n) return n;
      }
      return undefined;
    },
  };
}
