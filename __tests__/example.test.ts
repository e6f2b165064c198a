// The README's "use the constructs in your own chart" example is this compiled file; the test runs it.
import * as fs from 'fs';
import * as path from 'path';
import { buildTeamApp } from '../lib/examples/team-chart';
import { renderedObjects } from './helpers';

describe('the README example', () => {
  test('synthesizes a gateway and two budgeted models', () => {
    const objects = renderedObjects(buildTeamApp());
    const policies = objects.filter(o => o.kind === 'AgentgatewayPolicy');
    expect(policies.map(p => [p.metadata.name, p.spec.traffic.rateLimit.local[0]])).toEqual([
      ['chat-budget', { tokens: 5000, unit: 'Hours' }],
      ['embed-budget', { tokens: 200, unit: 'Minutes' }],
    ]);
    expect(objects.find(o => o.kind === 'HTTPRoute' && o.metadata.name === 'chat-ai').spec.hostnames).toEqual(['chat-team-a.llm.example.com']);
  });

  test('is quoted in the README as it is in the file', () => {
    const example = fs.readFileSync(path.join(__dirname, '..', 'lib', 'examples', 'team-chart.ts'), 'utf8');
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    expect(readme).toContain(example.trim());
  });
});
