// Who used the machine during a measurement: this process (all its threads) and
// everything else, from /proc (Linux; unknown elsewhere). A benchmark sharing 2 cores and one disk with other work
// says how much of them the other work took.
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface MachineMark {
  at: number;
  process: NodeJS.CpuUsage;
  /** Jiffies: busy (user, nice, system, irq, softirq, steal) and in all; for the machine, and core by core. */
  cpu?: { busy: number; total: number; cores: { busy: number; total: number }[] };
  /** Bytes written: to the disks (whole machine), and by this process. */
  written?: { disks: number; process: number };
}

export interface MachineUse {
  wallMs: number;
  cores: number;
  /** Average cores busy: this process, and the rest of the machine (undefined where /proc cannot be read). */
  thisProcess: number;
  others?: number;
  /** How busy each core was (0..1), whoever kept it busy: core i at index i. */
  perCore?: number[];
  /** MB written to the disks: by this process, and in all (journal and other processes included). */
  writtenMB?: { thisProcess: number; all: number };
}

const read = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

function jiffies(line: string): { busy: number; total: number } {
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  const busy = [user, nice, system, irq, softirq, steal].reduce<number>((a, b) => a + (b ?? 0), 0);
  return { busy, total: busy + (idle ?? 0) + (iowait ?? 0) };
}

function cpuJiffies(): MachineMark['cpu'] {
  const lines = read('/proc/stat')?.split('\n');
  if (!lines?.[0]?.startsWith('cpu ')) return undefined;
  const cores: { busy: number; total: number }[] = [];
  for (const line of lines) {
    const core = /^cpu(\d+) /.exec(line);
    if (core) cores[Number(core[1])] = jiffies(line);
  }
  return { ...jiffies(lines[0]), cores };
}

function bytesWritten(): MachineMark['written'] {
  const io = read('/proc/self/io');
  const stats = read('/proc/diskstats');
  if (!io || !stats) return undefined;
  const own = Number(/^write_bytes:\s+(\d+)/m.exec(io)?.[1] ?? Number.NaN);
  // Whole disks only (vda, sda, nvme0n1...), not their partitions nor loop/ram devices: sectors of 512 bytes.
  let sectors = 0;
  for (const line of stats.split('\n')) {
    const f = line.trim().split(/\s+/);
    const name = f[2] ?? '';
    if (/^(?:[shv]d[a-z]+|xvd[a-z]+|nvme\d+n\d+)$/.test(name)) sectors += Number(f[9] ?? 0);
  }
  return { disks: sectors * 512, process: own };
}

export function machineMark(): MachineMark {
  const cpu = cpuJiffies();
  const written = bytesWritten();
  return { at: performance.now(), process: process.cpuUsage(), ...(cpu && { cpu }), ...(written && { written }) };
}

export function machineSince(from: MachineMark): MachineUse {
  const to = machineMark();
  const wallMs = to.at - from.at;
  const used = process.cpuUsage(from.process);
  const thisProcess = (used.user + used.system) / 1000 / wallMs;
  const cores = os.cpus().length;
  const use: MachineUse = { wallMs, thisProcess, cores };
  if (from.cpu && to.cpu && to.cpu.total > from.cpu.total) {
    const machine = ((to.cpu.busy - from.cpu.busy) / (to.cpu.total - from.cpu.total)) * cores;
    use.others = Math.max(0, machine - thisProcess);
    use.perCore = to.cpu.cores.map((c, i) => {
      const was = from.cpu?.cores[i];
      return was && c.total > was.total ? (c.busy - was.busy) / (c.total - was.total) : Number.NaN;
    });
  }
  if (from.written && to.written) {
    const mb = (b: number) => b / (1024 * 1024);
    use.writtenMB = {
      thisProcess: mb(to.written.process - from.written.process),
      all: mb(to.written.disks - from.written.disks),
    };
  }
  return use;
}
