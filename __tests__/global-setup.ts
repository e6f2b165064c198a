// Synthesizes (and validates) the default and the hardened stack once per test run, for the tests that only read a
// dist/ (deploy, destroy, validate), and builds the kubectl double. Validating here also fills the validation cache
// before any test runs, so no test pays for a cold cache against its timeout.
import * as path from 'path';

export const TEST_DIST = path.join(__dirname, '..', '.cache', 'test-dist', 'dist');
export const TEST_HARDENED_DIST = path.join(__dirname, '..', '.cache', 'test-dist', 'hardened');
/** The digest the hardened test output pins the model image to. */
export const TEST_DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

export default function globalSetup(): void {
  require('./setup-env');
  const { synthToDir } = require('../lib/cli/synth');
  const { buildApp } = require('../main');
  const { stackPropsFor } = require('../lib/app-config');
  synthToDir({ outdir: TEST_DIST, build: () => buildApp() });
  const hardened = stackPropsFor({ profile: 'hardened', modelImageDigest: TEST_DIGEST });
  synthToDir({ outdir: TEST_HARDENED_DIST, build: () => buildApp(hardened) });
  require('./kube-double/build').buildKubeDouble();
}
