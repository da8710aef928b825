/** One jest config: unit tests sit next to the code in src/, hosts' tests next to theirs,
 *  integration tests under test/integration. E2E runs separately (scripts/test.js). */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.tsx?$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testMatch: ['<rootDir>/{src,server,taskpane,functions,test}/**/*.test.ts?(x)'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/e2e/'],
  moduleFileExtensions: ['ts', 'tsx', 'js', 'json'],
  testTimeout: 60000,
};
