// Tests import fakes from test/fakes/; this one ships in simulators/ because the demo runs the bot against it.
export * from '../../simulators/pagerduty-api.js';
