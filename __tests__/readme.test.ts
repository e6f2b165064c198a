// The platform table of docs/platform.md is generated from the component list, so the two cannot drift.
import * as fs from 'fs';
import * as path from 'path';
import { platformTable } from '../lib/upstream/components';

test('the platform table of docs/platform.md is the one lib/upstream/components.ts generates', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'docs', 'platform.md'), 'utf8');
  expect(readme).toContain(platformTable());
});

/** GitHub's anchor for a heading: lower case, punctuation but "-" and "_" dropped, spaces to "-". */
const slug = (heading: string) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');

test('every relative link of the README and docs/ reaches a file, and every anchor a heading in it', () => {
  const root = path.join(__dirname, '..');
  const pages = ['README.md', ...fs.readdirSync(path.join(root, 'docs')).filter(f => f.endsWith('.md')).map(f => `docs/${f}`)];
  const anchorsOf = (file: string) => new Set(fs.readFileSync(path.join(root, file), 'utf8').replace(/```[\s\S]*?```/g, '')
    .split('\n').filter(l => /^#{1,6} /.test(l)).map(l => slug(l.replace(/^#+ /, ''))));
  const broken: string[] = [];
  for (const page of pages) {
    const text = fs.readFileSync(path.join(root, page), 'utf8').replace(/```[\s\S]*?```/g, '');
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      const [file, anchor] = target.split('#');
      const resolved = file ? path.posix.normalize(path.posix.join(path.posix.dirname(page), file)) : page;
      if (!fs.existsSync(path.join(root, resolved))) broken.push(`${page}: ${target} (no file ${resolved})`);
      else if (anchor && resolved.endsWith('.md') && !anchorsOf(resolved).has(anchor)) broken.push(`${page}: ${target} (no heading #${anchor} in ${resolved})`);
    }
  }
  expect(broken).toEqual([]);
});
