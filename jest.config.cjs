/**
 * Jest on the ESM path: NestJS 12 ships ES modules only, so jest runs under
 * --experimental-vm-modules with ts-jest in ESM mode (see ../shared/design/STACK.md).
 * Unit specs sit beside the code (src/, and web/ for the dashboard page's pure date logic); e2e specs
 * in test/ boot the real app on a real database.
 */
const transform = { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.test.json' }] };
const common = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform,
};

// Several app instances can only share a database server: on the embedded database (no DATABASE_URL or
// TEST_DATABASE_URL) the scale-out suite is left out, so `npm test` on a machine without PostgreSQL
// still runs everything that can run there (README, "Running the tests").
const hasServer = Boolean(process.env.TEST_DATABASE_URL || process.env.DATABASE_URL);

module.exports = {
  // Each e2e suite boots the app on its own database (embedded: about 3 s) in beforeAll.
  testTimeout: 60000,
  projects: [
    { ...common, displayName: 'unit', rootDir: '.', roots: ['<rootDir>/src', '<rootDir>/web'], testMatch: ['**/*.spec.ts'] },
    { ...common, displayName: 'e2e', rootDir: '.', roots: ['<rootDir>/test'], testMatch: ['**/*.e2e-spec.ts'], testPathIgnorePatterns: ['/node_modules/', ...(hasServer ? [] : ['/test/scale-out\\.e2e-spec\\.ts$'])] },
  ],
};
