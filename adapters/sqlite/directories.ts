// Creates a directory and its missing parents, one level at a time. Node's own `mkdirSync(dir, { recursive: true })`
// never returns for a path under /proc (it retries ENOENT for ever), which made a mistyped data directory a bot that
// hangs at start instead of one that says what is wrong.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export function createDirectories(dir: string): void {
  const missing: string[] = [];
  let at = resolve(dir);
  while (!existsSync(at)) {
    missing.unshift(at);
    const parent = dirname(at);
    if (parent === at) break;
    at = parent;
  }
  for (const d of missing) mkdirSync(d);
}
