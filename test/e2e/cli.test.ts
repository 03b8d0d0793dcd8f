// The compiled `belvo-status` as a user runs it: the exit codes scripts and CI rely on (--help and --version 0, a
// mistake 2 with the usage) and `audit` beside a bot's store (1 when a check fails, 0 when none does).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../adapters/sqlite/sqlite-store.js';
import { runCli } from './bot-process.js';

describe('belvo-status exit codes', () => {
  it('--version prints the version, --help and <command> --help exit 0', async () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(await runCli(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n` });
    for (const command of ['run', 'check-config', 'audit', 'demo']) {
      const res = await runCli([command, '--help']);
      expect(res.code).toBe(0);
      expect(res.stdout).toContain(`Usage: belvo-status ${command}`);
      expect(res.stdout).toContain('Examples:');
    }
  });

  it('an unknown option exits 2 with the subcommand’s usage, no stack and no raw parser error', async () => {
    const res = await runCli(['check-config', '--onlin']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("error: unknown option '--onlin'\n(Did you mean --online?)");
    expect(res.stderr).toContain('Usage: belvo-status check-config [options] [file]');
    expect(res.stderr).not.toMatch(/ERR_PARSE_ARGS|\n\s+at /);
  });
});

describe('belvo-status audit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'belvo-status-audit-'));
  const db = join(dir, 'state.db');
  const env = { BELVO_ID: 'id', BELVO_PASSWORD: 'pw', BELVO_WEBHOOK_AUTH: 'Bearer x', INGEST_TOKEN: 't' };
  const config = (extra: string) => {
    const file = join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(
      file,
      `
storage: { path: ${db} }
belvo:
  environments:
    - id: production
      secretKeyId: { secretEnv: BELVO_ID }
      secretKeyPassword: { secretEnv: BELVO_PASSWORD }
      webhook: { authorization: { secretEnv: BELVO_WEBHOOK_AUTH } }
${extra}
destinations: [{ id: console, type: console }]
`,
    );
    return file;
  };

  beforeAll(async () => {
    // The store a bot running with this config would have written: 12 links (2 token_required), a webhook just now.
    const store = createSqliteStore({ path: db });
    await store.init();
    const now = Date.now();
    await store.upsertLinks(
      'production',
      Array.from({ length: 12 }, (_, i) => ({
        id: `link-${i}`,
        status: i < 2 ? 'token_required' : 'valid',
        institution: 'erebor_mx_retail',
        institutionUserId: `user-${i}`,
      })),
      now,
    );
    await store.recordBelvoWebhooks([
      {
        environment: 'production',
        webhookId: 'w1',
        type: 'LINKS',
        code: 'token_required',
        linkId: 'link-0',
        receivedAt: now,
        body: '{}',
      },
    ]);
    await store.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 1 when a check fails, and prints every check with its mark', async () => {
    const res = await runCli(['audit', '--config', config('')], { env });
    expect(res.stdout).toContain('✓ production calls https://api.belvo.com');
    expect(res.stdout).toMatch(/✓ webhooks: last received \d+s ago/);
    expect(res.stdout).toContain('! 2 of 12 links are token_required');
    expect(res.stdout).toContain('✗ your app does not report its Belvo calls');
    expect(res.code).toBe(1);
  });

  it('exits 0 when nothing is missing, only worth a look', async () => {
    const res = await runCli(['audit', '--config', config('  ingest: { token: { secretEnv: INGEST_TOKEN } }')], {
      env,
    });
    expect(res.stdout).toContain('! your app reports its calls to the running bot');
    expect(res.stdout).not.toMatch(/^ +✗/m);
    expect(res.code).toBe(0);
  });

  it('exits 2 when the config has no Belvo environment to audit', async () => {
    const file = join(dir, 'no-belvo.yaml');
    writeFileSync(file, `storage: { path: ${db} }\n`);
    const res = await runCli(['audit', '--config', file]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('the config needs belvo.environments');
  });
});
