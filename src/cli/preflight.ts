// What can be known about the machine before the bot starts: whether its port can be bound on its host, and whether
// its data directory can be created and written. `run` refuses to start on either (before the database is created
// or migrated), naming the config key; `check-config` warns.
import { accessSync, closeSync, constants, existsSync, fsyncSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { createDirectories } from '../../adapters/sqlite/directories.js';

const code = (err: unknown) => (err as NodeJS.ErrnoException).code ?? (err as Error).message;

/** Binds and releases host:port; the problem, naming server.host and server.port, or undefined. */
export function portProblem(host: string, port: number): Promise<string | undefined> {
  if (port === 0) return Promise.resolve(undefined); // any free port: nothing to check
  return new Promise((done) => {
    const server = createServer();
    server.once('error', (err) => {
      const why = code(err);
      if (why === 'EADDRINUSE') done(`server.port ${port} is in use on ${host} (another program, or another bot)`);
      else if (why === 'EADDRNOTAVAIL' || why === 'ENOTFOUND' || why === 'EAI_AGAIN')
        done(`server.host "${host}" is not an address of this machine (${why})`);
      else if (why === 'EACCES') done(`server.port ${port} needs privileges this process does not have (EACCES)`);
      else done(`server.host ${host}, server.port ${port}: cannot listen (${why})`);
    });
    server.listen(port, host, () => server.close(() => done(undefined)));
  });
}

const inMemory = (path: string) => path === ':memory:' || path === '' || path.startsWith('file:');

/**
 * Creates the database's directory if missing and writes, syncs and removes a small file there: the problem,
 * naming storage.path and the directory, or undefined. A directory the process cannot write (or a path under /proc,
 * where SQLite would wait for ever on its locks) fails here at once.
 */
export function prepareDataDirectory(path: string): string | undefined {
  if (inMemory(path)) return undefined;
  const dir = dirname(resolve(path));
  try {
    createDirectories(dir);
  } catch (err) {
    return `storage.path ${path}: cannot create the directory ${dir} (${code(err)})`;
  }
  const probe = `${dir}/.belvo-status-write-check-${process.pid}`;
  try {
    const fd = openSync(probe, 'w');
    try {
      writeSync(fd, 'ok');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
      unlinkSync(probe);
    }
  } catch (err) {
    return `storage.path ${path}: cannot write in ${dir} (${code(err)})`;
  }
  return undefined;
}

/** Like prepareDataDirectory, but creates nothing: the nearest directory that exists must be writable. */
export function dataDirectoryProblem(path: string): string | undefined {
  if (inMemory(path)) return undefined;
  let dir = dirname(resolve(path));
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  try {
    accessSync(dir, constants.W_OK);
    return dir.startsWith('/proc') || dir.startsWith('/sys')
      ? `storage.path ${path}: ${dir} is not a place for a database`
      : undefined;
  } catch (err) {
    return `storage.path ${path}: ${dir} is not writable by this user (${code(err)})`;
  }
}
