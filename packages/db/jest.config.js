import preset from '../../jest.preset.js';

export default {
  ...preset,
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
};
