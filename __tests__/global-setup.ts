// Synthesizes (and validates) the default stack once per test run, for the tests that only read a dist/ (deploy,
// destroy, validate). Validating here also fills the validation cache before any test runs, so no test pays for a
// cold cache against its timeout.
import * as path from 'path';

export const TEST_DIST = path.join(__dirname, '..', '.cache', 'test-dist', 'dist');

export default function globalSetup(): void {
  require('./setup-env');
  const { synthToDir } = require('../lib/cli/synth');
  const { buildApp } = require('../main');
  synthToDir({ outdir: TEST_DIST, build: () => buildApp() });
}
