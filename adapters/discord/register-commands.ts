// `belvo-status register-commands`: puts the /belvo-status command tree on Discord, for every server the bot is in
// (global) or for one server (instant, good for trying it out). A PUT replaces the application's commands with
// exactly this tree, so running it again changes nothing.
// https://discord.com/developers/docs/interactions/application-commands#bulk-overwrite-global-application-commands
import { type APIApplicationCommand, Routes } from 'discord-api-types/v10';
import { DiscordClient } from './client.js';
import { COMMAND_NAME, commandTree } from './command-tree.js';
import { INTERACTIONS_PATH } from './interactions-route.js';

export interface RegisterOptions {
  apiUrl: string;
  token: string;
  applicationId: string;
  /** One server only; global when absent. */
  guildId?: string;
  timeoutMs?: number;
}

export async function registerCommands(opts: RegisterOptions): Promise<string> {
  const client = new DiscordClient({
    apiUrl: opts.apiUrl,
    token: opts.token,
    ...(opts.timeoutMs && { timeoutMs: opts.timeoutMs }),
  });
  const route = opts.guildId
    ? Routes.applicationGuildCommands(opts.applicationId, opts.guildId)
    : Routes.applicationCommands(opts.applicationId);
  const registered = await client.put<APIApplicationCommand[]>(route, { body: commandTree() });
  const command = registered.find((c) => c.name === COMMAND_NAME);
  const subcommands = (command?.options ?? []).map((o) => o.name);
  const where = opts.guildId
    ? `in server ${opts.guildId} (available there now)`
    : 'globally (in every server the bot is in)';
  return [
    `Registered /${COMMAND_NAME} for application ${opts.applicationId} ${where}: command id ${command?.id ?? '?'}`,
    `  subcommands: ${subcommands.join(', ')}`,
    `  next: set the application's Interactions Endpoint URL to https://<your host>${INTERACTIONS_PATH}`,
    '        (Developer Portal > General Information), then type /belvo-status subscribe in a channel',
  ].join('\n');
}
