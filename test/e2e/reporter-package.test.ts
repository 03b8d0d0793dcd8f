// The reporter as a team installs it: `npm run build:reporter`, packed with `npm pack`, installed from the tarball into
// a scratch TypeScript app (offline), type-checked strictly with this repo's compiler, then run: its Belvo calls reach
// the running bot at POST /ingest/belvo-calls, and the bot's alert quotes the request_ids the app's calls got.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../../src/http/listen.js';
import { BotProcess, until } from './bot-process.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const GUARD = join(ROOT, 'dist/test/setup/loopback-guard.js');
const TOKEN = 'ingest-token-package-0123456789';

const APP = `
import { belvoError, createBelvoCallReporter, type ReportedCall } from 'belvo-status-reporter';

const logged: string[] = [];
// The five lines of the README, with the log captured so this app can print what it logged.
const belvo = createBelvoCallReporter({ url: process.env.STATUS_BOT_URL!, token: process.env.STATUS_BOT_INGEST_TOKEN!, log: (l) => logged.push(l) });
for (let i = 0; i < 60; i++) {
  const res = await belvo.fetch(\`\${process.env.BELVO_URL}/api/links/\`, { method: 'POST', body: '{}' }, { institution: 'erebor_mx_retail' });
  await res.arrayBuffer();
}
// A call made with another client, reported by hand as the README's undici and axios wrappers do.
const other: ReportedCall = { ts: Date.now(), method: 'GET', path: '/api/accounts/', status: 500, duration_ms: 12, institution: 'erebor_mx_retail', ...belvoError([{ code: 'unexpected_error', request_id: 'b-from-record' }]) };
belvo.record(other);
// Never called: the declarations are real types, not any, so a number is refused as the URL.
// @ts-expect-error
const wrong = () => createBelvoCallReporter({ url: 8080, token: 't' });
void wrong;
await belvo.close();
console.log(\`logged \${logged.length}: \${logged[0]}\`);
console.log(\`dropped \${belvo.dropped}\`);
`;

describe('the reporter package, installed in a TypeScript app', () => {
  const dir = mkdtempSync(join(tmpdir(), 'belvo-status-reporter-'));
  const app = join(dir, 'app');
  let bot: BotProcess;
  let belvo: Server;
  let belvoUrl: string;

  beforeAll(async () => {
    // A stand-in for Belvo: every third link creation fails with Belvo's error body and a request_id.
    let n = 0;
    belvo = createServer((_req, res) => {
      n++;
      if (n % 3 === 0) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify([
            { code: 'unexpected_error', message: 'Oops', request_id: `pkg${String(n).padStart(4, '0')}` },
          ]),
        );
      } else {
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end('{"id":"link"}');
      }
    });
    belvoUrl = (await listen(belvo, 0, '127.0.0.1')).url;
    bot = new BotProcess(
      (d) => `
server: { host: 127.0.0.1, port: 0 }
storage: { path: ${d}/state.db }
belvo:
  ingest: { token: { secretEnv: INGEST_TOKEN }, evaluateEvery: 200ms }
destinations: [{ id: console, type: console }]
subscriptions: [{ destination: console }]
`,
    );
    bot.start({ INGEST_TOKEN: TOKEN });
  });

  afterAll(async () => {
    await bot?.dispose();
    await new Promise((r) => belvo?.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('packs with declarations and no dependencies, type-checks in a strict app, and its calls reach the bot', async () => {
    await run('npm', ['run', 'build:reporter'], { cwd: ROOT });
    const { stdout: packed } = await run('npm', ['pack', '--pack-destination', dir, '--json'], {
      cwd: join(ROOT, 'packages/reporter'),
    });
    const [tarball] = JSON.parse(packed) as { filename: string; files: { path: string }[] }[];
    expect(tarball?.files.map((f) => f.path).sort()).toEqual([
      'README.md',
      'dist/index.d.ts',
      'dist/index.js',
      'package.json',
    ]);

    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'scratch-app', private: true, type: 'module' }));
    await run('npm', ['install', join(dir, tarball?.filename ?? ''), '--offline', '--no-audit', '--no-fund'], {
      cwd: app,
    });
    const installed = JSON.parse(
      readFileSync(join(app, 'node_modules/belvo-status-reporter/package.json'), 'utf8'),
    ) as Record<string, unknown>;
    // Nothing but Node: installing it pulls no SQLite, no Slack or Discord SDK.
    expect(installed.dependencies).toBeUndefined();
    expect(installed.peerDependencies).toBeUndefined();
    const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8')) as { packages: object };
    expect(Object.keys(lock.packages)).toEqual(['', 'node_modules/belvo-status-reporter']);

    writeFileSync(join(app, 'app.ts'), APP);
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2023',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noImplicitAny: true,
          skipLibCheck: true,
          types: ['node'],
          typeRoots: [join(ROOT, 'node_modules/@types')],
        },
        files: ['app.ts'],
      }),
    );
    // Type declarations missing would fail here with TS7016; any-typed ones would leave the @ts-expect-error unused.
    await run(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: app }).catch((err: { stdout?: string }) => {
      throw new Error(`the app does not type-check:\n${err.stdout}`);
    });

    const port = (await bot.waitForLog('belvo-status-bot started')).port as number;
    const { stdout } = await run(process.execPath, ['--import', GUARD, 'app.js'], {
      cwd: app,
      env: {
        ...process.env,
        STATUS_BOT_URL: `http://127.0.0.1:${port}`,
        STATUS_BOT_INGEST_TOKEN: TOKEN,
        BELVO_URL: belvoUrl,
      },
    });
    // The app logged the request_id of each of its 20 failed calls.
    expect(stdout).toContain('logged 20: belvo POST /api/links/ -> 500 unexpected_error request_id=pkg0003\n');
    expect(stdout).toContain('dropped 0\n');

    await until(
      () => bot.output.some((l) => /OPENED .*erebor_mx_retail: .*% belvo errors/.test(l)),
      15_000,
      'the alert',
      () => bot.output.join('\n'),
    );
    const at = bot.output.findIndex((l) => /OPENED .*belvo errors/.test(l));
    const detail = bot.output[at + 1] ?? '';
    expect(detail).toContain('Top codes: unexpected_error x21');
    expect(detail).toMatch(/request_ids: .*pkg0060/);
  }, 120_000);
});
