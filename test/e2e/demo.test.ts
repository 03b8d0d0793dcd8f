// `belvo-status demo` tells its whole story offline: an incident and its updates, a flapping institution, a storm,
// and everything resolving. Run compressed (--fast) so the test takes seconds, not a minute.
import { describe, expect, it } from 'vitest';
import { runCli } from './bot-process.js';

describe('belvo-status demo', () => {
  it('shows an incident life, flapping, a storm and every alert resolving, without network', async () => {
    const res = await runCli(['demo', '--fast']);
    expect(res.code).toBe(0);
    const events = res.stdout.split('\n').filter((l) => /^\d{4}-\d\d-\d\d /.test(l));
    const of = (re: RegExp) => events.filter((l) => re.test(l));
    expect(of(/OPENED .*Elevated error rates on link creation/)).toHaveLength(1);
    expect(of(/UPDATE .*Elevated error rates on link creation/)).toHaveLength(2);
    expect(of(/RESOLVED .*Elevated error rates on link creation after/)).toHaveLength(1);
    expect(of(/FLAPPING /)).toHaveLength(1);
    // The storm is one grouped alert listing the institutions (the eight, and one flapping a moment before), not
    // an alert each.
    expect(of(/OPENED +CRITICAL .*\[A\d+\] \d+ institutions down at once/)).toHaveLength(1);
    expect(of(/OPENED +CRITICAL .*major outage/)).toHaveLength(0);
    const lines = res.stdout.split('\n');
    const stormOpened = lines.findIndex((l) => /OPENED .*institutions down at once/.test(l));
    const listed: string[] = [];
    for (const line of lines.slice(stormOpened + 2)) {
      if (!/^ {6}/.test(line)) break;
      listed.push(line);
    }
    // Each member line names the storm it belongs to, so grep finds them with it.
    const storm = /\[(A\d+)\]/.exec(lines[stormOpened] ?? '')?.[1];
    expect(listed.filter((l) => new RegExp(`^ +\\[${storm}\\] down .* · critical · A\\d+$`).test(l))).toHaveLength(8);
    expect(of(/RESOLVED .*\d+ institutions were down at once after/)).toHaveLength(1);
    // Every alert that opened also resolved.
    const ids = (re: RegExp) => new Set(of(re).map((l) => /\[(A\d+)\]/.exec(l)?.[1]));
    expect(ids(/RESOLVED /)).toEqual(ids(/OPENED /));
    expect(of(/Delayed webhooks \(last week\)/)).toHaveLength(0);
  }, 60_000);
});
