// The README's platform table is generated from the component list, so the two cannot drift.
import * as fs from 'fs';
import * as path from 'path';
import { platformTable } from '../lib/upstream/components';

test('the README\'s platform table is the one lib/upstream/components.ts generates', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
  expect(readme).toContain(platformTable());
});
