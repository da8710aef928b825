/** End-to-end tests: the real server and the built task pane (dist/) driven in Debian Chromium. */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.tsx?$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testMatch: ['<rootDir>/test/e2e/**/*.e2e.ts'],
  moduleFileExtensions: ['ts', 'tsx', 'js', 'json'],
  testTimeout: 120000,
  // One browser at a time: the machine is small and the tests share nothing but the CPU.
  maxWorkers: 1,
};
