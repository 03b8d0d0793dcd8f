// `belvo-status register-commands`: registers /belvo-status with Discord, globally or in one server. Exit 2 when the
// config cannot say how, 1 when Discord refuses.
import { Command } from 'commander';
import { configOption, type Done, examples } from './define.js';
import { configPath, EXIT, loadOrExit } from './load-config.js';

export function registerCommandsCommand(done: Done): Command {
  return new Command('register-commands')
    .summary('register /belvo-status with Discord')
    .description('register /belvo-status with Discord, globally (up to an hour to appear) or in one server (at once)')
    .addOption(configOption())
    .option('-g, --guild <id>', 'register in this server only (its id: 17-20 digits)')
    .addHelpText(
      'after',
      examples(
        'belvo-status register-commands --guild 123456789012345678 --config my-config.yaml',
        'belvo-status register-commands --config my-config.yaml',
      ),
    )
    .action(async (opts: { config?: string; guild?: string }) => done(await register(opts)));
}

async function register(values: { config?: string; guild?: string }): Promise<number> {
  const { config, secrets } = loadOrExit(configPath(values.config));
  const discord = config.discord;
  const problem = !discord
    ? 'register-commands needs the `discord:` section in the config (applicationId, botToken)'
    : !discord.botToken
      ? 'register-commands needs `discord.botToken` (the "Bot" page of the application) to call Discord'
      : values.guild !== undefined && !/^\d{17,20}$/.test(values.guild)
        ? `--guild takes a server id (17-20 digits), not "${values.guild}"`
        : undefined;
  if (problem || !discord?.botToken) {
    process.stderr.write(`belvo-status: ${problem}\n`);
    return EXIT.usage;
  }
  const { registerCommands } = await import('../../adapters/discord/register-commands.js');
  try {
    const done = await registerCommands({
      apiUrl: discord.apiUrl,
      token: secrets.get(discord.botToken.secretEnv) ?? '',
      applicationId: discord.applicationId,
      timeoutMs: discord.timeout,
      ...(values.guild && { guildId: values.guild }),
    });
    process.stdout.write(`${done}\n`);
    return EXIT.ok;
  } catch (err) {
    // The adapter's errors quote Discord's answer, never the token or a URL.
    process.stderr.write(`belvo-status: Discord refused the commands: ${(err as Error).message}\n`);
    return EXIT.failure;
  }
}
