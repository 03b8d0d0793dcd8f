// `/belvo-status` as a Discord application command: one subcommand per verb of the shared grammar, each with an
// `args` text option for the rest of the line and a `public` flag, rebuilt into the text the grammar parses. The
// grammar stays the one source of truth (the same errors and usage as in Slack).
// https://discord.com/developers/docs/interactions/application-commands#subcommands-and-subcommand-groups
import {
  type APIApplicationCommandInteractionDataOption,
  ApplicationCommandOptionType,
  type RESTPutAPIApplicationCommandsJSONBody,
} from 'discord-api-types/v10';
import { type Subcommand, USAGE } from '../../src/commands/usage.js';
import { clip } from '../../src/domain/text.js';
import { DISCORD_LIMITS } from './limits.js';

export const COMMAND_NAME = 'belvo-status';

/** What each subcommand's `args` option holds; absent: the subcommand takes nothing. */
const ARGS: Record<Subcommand, { required: boolean; description: string } | undefined> = {
  status: undefined,
  institution: { required: true, description: 'name or part of it, e.g. erebor' },
  subscribe: { required: false, description: 'filters, e.g. statuspage country:MX min:major (none: every alert)' },
  unsubscribe: { required: false, description: "a subscription id (none: all of this channel's)" },
  subscriptions: undefined,
  silence: { required: true, description: '<alert id | institution> <duration> [reason], e.g. A12 2h migration' },
  unsilence: { required: true, description: 'the silence id, e.g. S4' },
  ack: { required: true, description: 'the alert id, e.g. A12' },
  history: { required: false, description: 'how many incidents (default 10, at most 50)' },
  audit: undefined,
  help: undefined,
};

/** The command tree registered with Discord (PUT replaces the application's commands with exactly this). */
export function commandTree(): RESTPutAPIApplicationCommandsJSONBody {
  const subcommands = (Object.keys(USAGE) as Subcommand[]).map((sub) => {
    const args = ARGS[sub];
    return {
      type: ApplicationCommandOptionType.Subcommand as const,
      name: sub,
      description: clip(USAGE[sub].what, DISCORD_LIMITS.commandDescription),
      options: [
        ...(args
          ? [
              {
                type: ApplicationCommandOptionType.String as const,
                name: 'args',
                description: clip(args.description, DISCORD_LIMITS.commandDescription),
                required: args.required,
              },
            ]
          : []),
        {
          type: ApplicationCommandOptionType.Boolean as const,
          name: 'public',
          description: 'show the answer to everyone in the channel (default: only you)',
          required: false,
        },
      ],
    };
  });
  return [
    {
      name: COMMAND_NAME,
      description: 'What is broken in Belvo right now, and who hears about it',
      type: 1,
      // Guild channels only: alerts are delivered to channels, and subscriptions belong to one.
      contexts: [0],
      integration_types: [0],
      options: subcommands,
    },
  ];
}

/** The chosen subcommand and its options -> the text the shared grammar parses (`silence A12 2h public`). */
export function commandText(options: APIApplicationCommandInteractionDataOption[] | undefined): string {
  const sub = options?.[0];
  if (!sub || sub.type !== ApplicationCommandOptionType.Subcommand) return '';
  const values = new Map((sub.options ?? []).map((o) => [o.name, 'value' in o ? o.value : undefined]));
  const args = values.get('args');
  return [sub.name, typeof args === 'string' ? args.trim() : '', values.get('public') === true ? 'public' : '']
    .filter(Boolean)
    .join(' ');
}
