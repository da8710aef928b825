/** One jest config: unit tests sit next to the code in src/, hosts' tests next to theirs,
 *  integration tests under test/integration. E2E runs separately (scripts/test.js).
 *  globalSetup starts one real PostgreSQL server when the run includes test/integration. */
module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
    // cookie@2 (used by fastify's inject) ships ESM only; jest's CommonJS runtime needs it converted.
    '/node_modules/cookie/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', isolatedModules: true } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!cookie/)'],
  testMatch: ['<rootDir>/{src,platform,server,taskpane,functions,commands,test}/**/*.test.ts?(x)'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/e2e/'],
  moduleFileExtensions: ['ts', 'tsx', 'js', 'json'],
  testTimeout: 60000,
  globalSetup: '<rootDir>/test/integration/global-setup.ts',
  globalTeardown: '<rootDir>/test/integration/global-teardown.ts',
};
