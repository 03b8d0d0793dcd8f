// Which cores figure 5's load generator and servers run on. The load generator (this process, every thread of it)
// gets a core of its own and the servers (child processes started under taskset, so every thread they start stays
// there) all the others: neither takes CPU from the other, as on two machines. Needs Linux's taskset(1) and two
// cores; without them everything runs unpinned, sharing the cores, and the figure says so.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface Pinning {
  /** How the figure was measured, in words for the report; and in a few words for its table. */
  description: string;
  short: string;
  /** Set when pinned: the load generator's core(s), the servers' cores. */
  loadCores?: number[];
  serverCores?: number[];
  /** The command and arguments that start `node args` as a server: under taskset when pinned. */
  serverCommand(args: readonly string[]): { command: string; args: string[] };
  /** Gives this process back the cores it had (the rest of the bench runs unpinned). */
  restore(): void;
}

/** `0-2,5` -> [0, 1, 2, 5]. */
export function parseCpuList(list: string): number[] {
  const cores: number[] = [];
  for (const part of list.trim().split(',')) {
    const [from, to] = part.split('-').map(Number);
    if (from === undefined || !Number.isInteger(from)) continue;
    for (let c = from; c <= (to ?? from); c++) cores.push(c);
  }
  return cores;
}

const cpuList = (cores: readonly number[]) => cores.join(',');

function taskset(args: string[]): { ok: true; out: string } | { ok: false; why: string } {
  const r = spawnSync('taskset', args, { encoding: 'utf8' });
  if (r.error)
    return { ok: false, why: (r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no taskset' : String(r.error) };
  if (r.status !== 0) return { ok: false, why: `taskset ${args.join(' ')}: ${r.stderr.trim() || `exit ${r.status}`}` };
  return { ok: true, out: r.stdout };
}

function unpinned(why: string): Pinning {
  return {
    description: `unpinned (${why}): the load generator and each server share all the cores`,
    short: `unpinned: ${why}`,
    serverCommand: (args) => ({ command: process.execPath, args: [...args] }),
    restore: () => undefined,
  };
}

/** Pins this process (all its threads) to its first allowed core and plans the servers on the others. */
export function pinLoadGenerator(): Pinning {
  const pid = String(process.pid);
  const current = taskset(['-c', '-p', pid]);
  if (!current.ok) return unpinned(current.why);
  // "pid 123's current affinity list: 0,1"
  const allowed = parseCpuList(current.out.slice(current.out.lastIndexOf(':') + 1));
  if (allowed.length < 2) return unpinned(`only ${allowed.length} core available to this process`);
  const loadCores = allowed.slice(0, 1);
  const serverCores = allowed.slice(1);
  const pinned = taskset(['-a', '-p', '-c', cpuList(loadCores), pid]);
  if (!pinned.ok) return unpinned(pinned.why);
  const serverWord = serverCores.length === 1 ? 'core' : 'cores';
  return {
    description:
      `load generator (this process, all its threads) on core ${cpuList(loadCores)}, each server (a process of ` +
      `its own, all its threads) on ${serverWord} ${cpuList(serverCores)} (taskset)`,
    short: `core ${cpuList(loadCores)} / ${serverWord} ${cpuList(serverCores)} (taskset)`,
    loadCores,
    serverCores,
    serverCommand: (args) => ({ command: 'taskset', args: ['-c', cpuList(serverCores), process.execPath, ...args] }),
    restore: () => {
      taskset(['-a', '-p', '-c', cpuList(allowed), pid]);
    },
  };
}

/**
 * The cores each thread of a process may run on, read from /proc (Linux): every distinct list with how many threads
 * have it, e.g. `11 threads on core 1`; undefined where /proc cannot tell.
 */
export function threadAffinities(pid: number | 'self'): string | undefined {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  const counts = new Map<string, number>();
  for (const tid of tids) {
    let status: string;
    try {
      status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
    } catch {
      continue; // the thread ended meanwhile
    }
    const list = /^Cpus_allowed_list:\s*(\S+)/m.exec(status)?.[1] ?? '?';
    counts.set(list, (counts.get(list) ?? 0) + 1);
  }
  return [...counts]
    .map(([list, n]) => `${n} thread${n === 1 ? '' : 's'} on core${/[,-]/.test(list) ? 's' : ''} ${list}`)
    .join(', ');
}
