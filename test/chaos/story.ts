// What happens on Belvo's status page during the run: incidents open, get updates, resolve; components degrade and
// recover. Seeded, so a run can be replayed.
import type { SimulatedPage } from '../fakes/statuspage.js';

export function seeded(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

const IMPACTS = ['minor', 'major', 'critical'] as const;
const COMPONENT_STATES = ['degraded_performance', 'partial_outage', 'major_outage', 'operational'] as const;

export class Story {
  private readonly open: string[] = [];
  private opened = 0;
  steps = 0;

  constructor(
    private readonly page: SimulatedPage,
    private readonly components: string[],
    private readonly random: () => number,
  ) {}

  private pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.random() * list.length)] as T;
  }

  /** One change on the page. */
  step(): void {
    this.steps++;
    const r = this.random();
    if ((r < 0.3 && this.open.length < 4) || this.open.length === 0) {
      const impact = this.pick(IMPACTS);
      this.opened++;
      this.open.push(
        this.page.openIncident({
          name: `Chaos incident ${this.opened}`,
          impact,
          body: `We are investigating problem ${this.opened}.`,
        }),
      );
    } else if (r < 0.6) {
      const id = this.pick(this.open);
      this.page.updateIncident(id, {
        status: this.pick(['identified', 'monitoring'] as const),
        body: `Step ${this.steps}: still working on it.`,
      });
    } else if (r < 0.8) {
      const id = this.pick(this.open);
      this.open.splice(this.open.indexOf(id), 1);
      this.page.resolveIncident(id, `Resolved at step ${this.steps}.`);
    } else {
      this.page.setComponentStatus(this.pick(this.components), this.pick(COMPONENT_STATES));
    }
  }

  /** Everything ends well: what is open resolves, every component is operational. */
  end(): void {
    for (const id of this.open.splice(0)) this.page.resolveIncident(id, 'All clear.');
    for (const c of this.components) this.page.setComponentStatus(c, 'operational');
  }

  get incidents(): number {
    return this.opened;
  }
}
