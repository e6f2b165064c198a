// The README's "use the constructs in your own chart" example is examples/main.ts, a complete main.ts for a project
// made by `cdk8s init typescript-app` (the consumer test runs it there); here it runs against the sources.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAll } from './helpers';

describe('the README example', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'example-'));
  beforeAll(() => {
    process.env.CDK8S_OUTDIR = outdir;
    jest.isolateModules(() => require('../examples/main'));
    delete process.env.CDK8S_OUTDIR;
  });

  test('synthesizes two budgeted models behind an existing gateway, with plain app.synth()', () => {
    const objects = fs.readdirSync(outdir).flatMap(f => parseAll(fs.readFileSync(path.join(outdir, f), 'utf8')));
    expect(objects.map(o => o.kind)).not.toContain('Gateway');
    const policies = objects.filter(o => o.kind === 'AgentgatewayPolicy');
    expect(policies.map(p => [p.metadata.name, p.spec.traffic.rateLimit.local[0]])).toEqual([
      ['chat-ai-token-budget', { tokens: 50000, unit: 'Hours' }],
      ['embed-ai-token-budget', { tokens: 2000, unit: 'Minutes' }],
    ]);
    const route = objects.find(o => o.kind === 'HTTPRoute' && o.metadata.name === 'chat-ai');
    expect(route.spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'shared-gateway', namespace: 'gateways' }]);
  });

  test('is quoted in the README as it is in the file', () => {
    const example = fs.readFileSync(path.join(__dirname, '..', 'examples', 'main.ts'), 'utf8');
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    expect(readme).toContain(example.trim());
  });
});

describe('the README\'s LLM example', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'example-llms-'));
  beforeAll(() => {
    process.env.CDK8S_OUTDIR = outdir;
    jest.isolateModules(() => require('../examples/llms'));
    delete process.env.CDK8S_OUTDIR;
  });

  test('synthesizes a metered LLM and one routed to its pool behind an existing gateway, with plain app.synth()', () => {
    const objects = fs.readdirSync(outdir).flatMap(f => parseAll(fs.readFileSync(path.join(outdir, f), 'utf8')));
    expect(objects.map(o => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Namespace/team-a', 'LLMInferenceService/chat', 'AgentgatewayBackend/chat-backend', 'AgentgatewayPolicy/chat-token-budget', 'LLMInferenceService/draft',
    ]);
    const chat = objects.find(o => o.metadata.name === 'chat');
    expect(chat.spec.router.route.http.spec.hostnames).toEqual(['chat.team-a.example.com']);
    expect(objects.find(o => o.metadata.name === 'draft').spec.router).toEqual({ route: {}, scheduler: {} });
  });

  test('is quoted in the README as it is in the file', () => {
    const example = fs.readFileSync(path.join(__dirname, '..', 'examples', 'llms.ts'), 'utf8');
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    expect(readme).toContain(example.trim());
  });
});
