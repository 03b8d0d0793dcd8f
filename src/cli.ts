#!/usr/bin/env node
// belvo-status: the command line. The subcommands live in src/cli/, one file each; src/cli/program.ts lists them.
import { CommanderError } from 'commander';
import { EXIT } from './cli/load-config.js';
import { buildProgram } from './cli/program.js';

export async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram((c) => {
    code = c;
  });
  if (argv.length === 0) {
    // No command: the overview, as a successful answer (commander would call it an error).
    program.outputHelp();
    return EXIT.ok;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    // --help and --version end with code 0; every parsing mistake is a usage error (2), already explained.
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    throw err;
  }
  return code;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const e = err as { code?: string; message?: string };
    process.stderr.write(`belvo-status: ${e.code ? `${e.code}: ` : ''}${e.message ?? String(err)}\n`);
    process.exit(EXIT.failure);
  },
);
