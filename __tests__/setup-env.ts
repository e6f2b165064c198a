// Tests read upstream files from the mirror beside the checkout, never from the network.
import * as path from 'path';

process.env.UPSTREAM_MIRROR ??= path.join(__dirname, '..', '..', 'shared', 'upstream');
process.env.UPSTREAM_OFFLINE = '1';
process.env.UPSTREAM_CACHE ??= path.join(__dirname, '..', '.cache', 'test-upstream-cache');
// Compiled schemas and per-pin verdicts persist between test runs (the first, cold run builds them).
process.env.VALIDATE_CACHE ??= path.join(__dirname, '..', '.cache', 'validate');
