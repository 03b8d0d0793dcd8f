// Tests import fakes from test/fakes/; the Statuspage fake is the simulator that also ships for the demo.
export * from '../../simulators/statuspage/index.js';
