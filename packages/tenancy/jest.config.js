import preset from '../../jest.preset.js';

export default {
  ...preset,
  globalSetup: '@gatehouse/testing/jest/global-setup',
  globalTeardown: '@gatehouse/testing/jest/global-teardown',
};
