import preset from '../../jest.preset.js';

export default {
  ...preset,
  globalSetup: '@gatehouse/testing/jest/global-setup',
  globalTeardown: '@gatehouse/testing/jest/global-teardown',
  testTimeout: 120000,
  // Suites start real process stacks on their own ports; one at a time keeps 2-core machines responsive.
  maxWorkers: 1,
  // A suite whose set-up failed half-way may leave a process it started behind: the run still ends (and
  // @gatehouse/testing kills what it started) instead of waiting for it forever.
  forceExit: true,
};
