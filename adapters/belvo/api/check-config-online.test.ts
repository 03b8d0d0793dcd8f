// `belvo-status check-config --online` as a user runs it (the compiled CLI, against the fake Belvo API), and the
// report it prints, in-process for the cases a child process adds nothing to.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../../test/e2e/bot-process.js';
import { type FakeBelvo, startFakeBelvo } from '../../../test/fakes/belvo-api.js';
import { belvoConfigReport } from './check-keys.js';

describe('check-config and the Belvo environments', () => {
  let belvo: FakeBelvo;
  beforeEach(async () => {
    belvo = await startFakeBelvo();
  });
  afterEach(() => belvo.close());

  const env = (id: string, url: string | undefined, keyVar = 'SBX') => ({
    id,
    url,
    secretKeyId: { secretEnv: `${keyVar}_ID` },
    secretKeyPassword: { secretEnv: `${keyVar}_PASSWORD` },
    timeout: 2000,
  });

  it('check-config --online: one line per environment, exit 1 when Belvo refuses a key pair', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'belvo-check-'));
    const file = join(dir, 'belvo.yaml');
    writeFileSync(
      file,
      `belvo:
  environments:
    - { id: sandbox, url: "${belvo.url}", secretKeyId: { secretEnv: SBX_ID }, secretKeyPassword: { secretEnv: SBX_PASSWORD } }
    - { id: production, url: "${belvo.url}", secretKeyId: { secretEnv: PRD_ID }, secretKeyPassword: { secretEnv: PRD_PASSWORD } }
`,
    );
    const keys = {
      SBX_ID: belvo.secretKeyId,
      SBX_PASSWORD: belvo.secretKeyPassword,
      PRD_ID: 'prod-id-x',
      PRD_PASSWORD: 'prod-password-secret',
    };

    // Two runs side by side: one with production's keys wrong, one with every key right.
    const [online, good] = await Promise.all([
      runCli(['check-config', file, '--online'], { env: keys }),
      runCli(['check-config', file, '--online'], {
        env: { ...keys, PRD_ID: belvo.secretKeyId, PRD_PASSWORD: belvo.secretKeyPassword },
      }),
    ]);
    const refused = belvo.requests.find((r) => !r.authorized);
    expect(online.stdout).toContain(`  belvo: sandbox (${belvo.url}), production (${belvo.url})\n`);
    expect(online.stdout).toContain(
      `  warning: Belvo environment "production" calls ${belvo.url}, not https://api.belvo.com`,
    );
    expect(online.stdout).toContain(`  sandbox: keys OK (${belvo.url})\n`);
    expect(online.stdout).toContain(
      `  production: keys refused (401 authentication_failed, request_id ${refused?.requestId})\n`,
    );
    expect(online.code).toBe(1);
    for (const secret of Object.values(keys)) expect(online.stdout + online.stderr).not.toContain(secret);

    expect(good.stdout).toContain(`  production: keys OK (${belvo.url})\n`);
    expect(good.code).toBe(0);
  });

  it('without --online: the hosts and the production warning, and no call to Belvo', async () => {
    const report = await belvoConfigReport([env('production', 'https://sandbox.belvo.com')], new Map(), {
      online: false,
    });
    expect(report).toEqual({
      invalid: false,
      failed: false,
      lines: [
        'belvo: production (https://sandbox.belvo.com)',
        'warning: Belvo environment "production" calls https://sandbox.belvo.com, not https://api.belvo.com: Belvo\'s checklist asks production to use https://api.belvo.com with production keys',
      ],
    });
    expect(belvo.requests).toHaveLength(0);
  });

  it('reports what kept it from checking, and an environment with no URL to call', async () => {
    belvo.fail({ status: 403, shape: 'html' });
    const secrets = new Map([
      ['SBX_ID', belvo.secretKeyId],
      ['SBX_PASSWORD', belvo.secretKeyPassword],
    ]);
    const report = await belvoConfigReport([env('sandbox', belvo.url), env('staging', undefined)], secrets, {
      online: true,
    });
    expect(report).toMatchObject({ invalid: true, failed: true });
    expect(report.lines).toEqual([
      `belvo: sandbox (${belvo.url})`,
      'error: Belvo environment "staging" needs a url: only "production" (https://api.belvo.com) and "sandbox" (https://sandbox.belvo.com) know theirs',
      expect.stringMatching(
        /^sandbox: keys not checked: rate_limited \(Belvo sandbox: GET \/api\/ -> HTTP 403 rate limited/,
      ),
    ]);
  });
});
