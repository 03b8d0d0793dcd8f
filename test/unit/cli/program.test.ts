// The command line explains itself: every subcommand's --help names its options and ends with an example to copy,
// and a mistake answers with that subcommand's usage (and a suggestion) instead of a raw error.
import { readFileSync } from 'node:fs';
import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../../src/cli/program.js';

interface Outcome {
  out: string;
  err: string;
  /** The CommanderError's exit code (0 for --help and --version), or the action's code when one ran. */
  code: number | undefined;
  actionRan: boolean;
}

async function cli(...argv: string[]): Promise<Outcome> {
  let out = '';
  let err = '';
  let actionCode: number | undefined;
  const program = buildProgram(
    (code) => {
      actionCode = code;
    },
    { out: (t) => (out += t), err: (t) => (err += t) },
  );
  try {
    await program.parseAsync(argv, { from: 'user' });
    return { out, err, code: actionCode, actionRan: actionCode !== undefined };
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    return { out, err, code: e.exitCode, actionRan: false };
  }
}

const SUBCOMMANDS: Record<string, string[]> = {
  run: ['--config <file>'],
  'check-config': ['[file]', '--online'],
  status: ['--config <file>'],
  audit: ['--config <file>'],
  demo: ['--fast'],
  healthcheck: ['--config <file>'],
  institutions: ['--config <file>'],
  'sync-links': ['--config <file>', '--env <id>'],
  'register-commands': ['--config <file>', '--guild <id>'],
};

describe('belvo-status --help', () => {
  for (const [name, options] of Object.entries(SUBCOMMANDS)) {
    it(`${name} --help shows its usage, its options and an example, and runs nothing`, async () => {
      const res = await cli(name, '--help');
      expect(res).toMatchObject({ code: 0, actionRan: false, err: '' });
      expect(res.out).toContain(`Usage: belvo-status ${name}`);
      for (const option of options) expect(res.out).toContain(option);
      expect(res.out).toMatch(new RegExp(`\\nExamples:\\n  (\\S+=\\S+ )?belvo-status ${name}( |\\n)`));
    });
  }

  it('the overview lists every subcommand and how to configure by environment', async () => {
    const res = await cli('--help');
    expect(res.code).toBe(0);
    for (const name of Object.keys(SUBCOMMANDS)) expect(res.out).toMatch(new RegExp(`\\n  ${name} `));
    expect(res.out).toContain('BELVO_STATUS_<KEY>__<KEY>=value');
  });

  it('--version prints the version package.json declares', async () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    const res = await cli('--version');
    expect(res).toMatchObject({ code: 0, out: `${version}\n` });
  });
});

describe('belvo-status mistakes', () => {
  it('an unknown option answers with that subcommand’s usage and the nearest option, and runs nothing', async () => {
    const res = await cli('run', '--conifg', 'my.yaml');
    expect(res.actionRan).toBe(false);
    expect(res.code).not.toBe(0);
    expect(res.err).toContain("error: unknown option '--conifg'");
    expect(res.err).toContain('(Did you mean --config?)');
    expect(res.err).toContain('Usage: belvo-status run [options]');
    expect(res.err).not.toMatch(/\n\s+at /);
  });

  it('a mistyped subcommand is named with the nearest one', async () => {
    const res = await cli('statsu');
    expect(res.code).not.toBe(0);
    expect(res.err).toContain("error: unknown command 'statsu'\n(Did you mean status?)");
    expect(res.err).toContain('Usage: belvo-status [options] [command]');
  });

  it('an option without its value, or a word too many, gets the usage too', async () => {
    const missing = await cli('sync-links', '--env');
    expect(missing.err).toContain("error: option '--env <id>' argument missing");
    expect(missing.err).toContain('Usage: belvo-status sync-links [options]');
    const extra = await cli('status', 'now');
    expect(extra.err).toContain("error: too many arguments for 'status'");
    expect(extra.err).toContain('Usage: belvo-status status [options]');
  });
});
