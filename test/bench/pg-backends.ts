// The PostgreSQL backends that serve a server under test are processes of their own: the CPU they use is that
// server's cost, not other work on the machine, and the machine-noise figure must not count it as noise. Found by
// the application_name their pool sets, read from /proc (Linux, the database on this machine as the tests' is).
import { readFileSync } from 'node:fs';
import type pg from 'pg';

/** Linux reports a process's CPU times in USER_HZ, 100 per second on every architecture Node runs on. */
const USER_HZ = 100;

export async function backendPids(admin: pg.Client, applicationName: string): Promise<number[]> {
  const { rows } = await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [
    applicationName,
  ]);
  return rows.map((r) => r.pid);
}

/**
 * CPU (user + system) the backends used so far, in ms; undefined when this machine's /proc cannot tell (another OS,
 * a server elsewhere or in a container, whose pids are not ours: a pid here that is not a postgres process).
 */
export function cpuMs(pids: readonly number[]): number | undefined {
  let ticks = 0;
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return undefined;
    }
    // The command name (field 2) may hold spaces: fields are counted from after its closing parenthesis.
    if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) !== 'postgres') return undefined;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
  }
  return (ticks / USER_HZ) * 1000;
}
