// `belvo-status audit`: Belvo's integration checklist checked against the account as the running bot's store holds it
// (the same checks as `/belvo-status audit`), for a person or a CI job: exit 1 when a check fails (✗), 0 when every
// check passes or only asks for a look (!), 2 when the config has no Belvo environment to audit.
import { Command } from 'commander';
import { auditReport } from '../commands/audit-handlers.js';
import { toPlainText } from '../commands/reply.js';
import { configOption, type Done, examples } from './define.js';
import { configPath, EXIT, loadOrExit } from './load-config.js';
import { withStoredContext } from './stored-context.js';

export function auditCommand(done: Done): Command {
  return new Command('audit')
    .summary("check Belvo's integration checklist")
    .description(
      "Belvo's integration checklist against your account, from the store of the bot running with this config; exit 1 if a check fails",
    )
    .addOption(configOption())
    .addHelpText(
      'after',
      examples(
        'belvo-status audit --config my-config.yaml',
        'belvo-status audit --config prod.yaml || exit 1   # in CI',
      ),
    )
    .action(async (opts: { config?: string }) => done(await audit(opts.config)));
}

async function audit(file: string | undefined): Promise<number> {
  const { config, secrets } = loadOrExit(configPath(file));
  if ((config.belvo?.environments ?? []).length === 0) {
    process.stderr.write(
      "belvo-status: the audit checks Belvo's integration checklist against your account: the config needs belvo.environments\n",
    );
    return EXIT.usage;
  }
  return withStoredContext(
    config,
    async (ctx) => {
      const report = await auditReport(ctx, 'ephemeral');
      process.stdout.write(`${toPlainText(report.reply)}\n`);
      return report.failed > 0 ? EXIT.failure : EXIT.ok;
    },
    secrets,
  );
}
