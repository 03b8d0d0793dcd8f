// Starting where the bot cannot run: a taken port, a data directory it cannot create or write. It says so at once,
// naming the config key and the place, before any database is created; check-config warns of the same beforehand.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './bot-process.js';

describe('starting somewhere the bot cannot run', () => {
  let dir: string;
  let taken: Server | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'belvo-startup-'));
  });
  afterEach(async () => {
    await new Promise((r) => (taken ? taken.close(r) : r(undefined)));
    taken = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const config = (port: number, path: string) => {
    const file = join(dir, 'bot.yaml');
    writeFileSync(
      file,
      `server: { host: 127.0.0.1, port: ${port} }
storage: { path: "${path}" }
destinations: [{ id: console, type: console }]
subscriptions: [{ destination: console }]
`,
    );
    return file;
  };

  async function takePort(): Promise<number> {
    const server = createServer();
    taken = server;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return (server.address() as { port: number }).port;
  }

  it('a port in use: exit 2 naming server.port, and no database created', async () => {
    const port = await takePort();
    const db = join(dir, 'data', 'bot.db');
    const res = await runCli(['run', '--config', config(port, db)]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`cannot start: server.port ${port} is in use on 127.0.0.1`);
    expect(existsSync(db)).toBe(false);
  });

  it('a data directory under /proc: exit 2 at once naming storage.path, instead of hanging', async () => {
    const res = await runCli(['run', '--config', config(0, '/proc/belvo-status/bot.db')]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(
      /cannot start: storage\.path \/proc\/belvo-status\/bot\.db: cannot create the directory/,
    );
  });

  it('a data directory inside a file: exit 2 naming storage.path and the directory', async () => {
    writeFileSync(join(dir, 'plain-file'), 'x');
    const res = await runCli(['run', '--config', config(0, join(dir, 'plain-file', 'data', 'bot.db'))]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`storage.path ${join(dir, 'plain-file', 'data', 'bot.db')}: cannot create`);
  });

  it('check-config warns of a port in use, a host that is not this machine and an unwritable directory', async () => {
    const port = await takePort();
    const inUse = await runCli(['check-config', config(port, '/proc/x/bot.db')]);
    expect(inUse.code).toBe(0);
    expect(inUse.stdout).toContain(`warning: server.port ${port} is in use on 127.0.0.1`);
    expect(inUse.stdout).toMatch(/warning: storage\.path \/proc\/x\/bot\.db: \/proc is not/);

    const file = join(dir, 'host.yaml');
    writeFileSync(file, `server: { host: 203.0.113.7, port: 8080 }\nstorage: { path: ":memory:" }\n`);
    const wrongHost = await runCli(['check-config', file]);
    expect(wrongHost.stdout).toContain('warning: server.host "203.0.113.7" is not an address of this machine');
    expect(wrongHost.stdout).toContain('warning: storage.path is :memory:: a restart forgets every alert');
  });
});
