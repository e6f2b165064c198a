// The differential test's own parts, without a server: the variant generator is seeded and derives each mutation
// from the schema, and the server's refusals are read back to the field paths the validator must name.
import { agreement, CaseResult } from '../test/differential/compare';
import { CrdSchemaSource } from '../test/differential/schemas';
import { refusalPaths, resolvePath } from '../test/differential/server-judge';
import { generateVariants } from '../test/differential/variants';

const crd = {
  apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com', names: { kind: 'Widget', plural: 'widgets' }, scope: 'Namespaced',
    versions: [{
      name: 'v1', served: true, storage: true, schema: {
        openAPIV3Schema: {
          type: 'object', properties: {
            spec: {
              type: 'object', required: ['size'],
              'x-kubernetes-validations': [{ rule: 'has(self.mode) || self.size < 3' }],
              properties: {
                size: { type: 'integer', minimum: 1, maximum: 5 },
                mode: { type: 'string', enum: ['Fast', 'Slow'] },
                tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
              },
            },
          },
        },
      },
    }],
  },
};
const widget = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'apps' }, spec: { size: 2, mode: 'Fast', tags: ['a'] } };
const schemas = new CrdSchemaSource([crd]);

describe('the variant generator', () => {
  test('gives the same variants for the same seed, and another order for another seed', () => {
    const a = generateVariants([widget], schemas, 20, 'seed-1');
    expect(generateVariants([widget], schemas, 20, 'seed-1')).toEqual(a);
    expect(generateVariants([widget], schemas, 20, 'seed-2').map(v => v.description)).not.toEqual(a.map(v => v.description));
    expect(a.length).toBe(20);
    expect(widget.spec.size).toBe(2);
  });

  test('derives each mutation from the schema: required, bounds, enum, set, CEL, unknown field, type, null, name', () => {
    const all = generateVariants([widget], schemas, 1000, 'seed-1');
    const by = (category: string) => all.filter(v => v.category === category).map(v => v.description);
    expect(by('required')).toEqual(['required .spec.size dropped']);
    expect(by('bound')).toEqual(expect.arrayContaining(['.spec.size = 6 (past maximum 5)', '.spec.size = 0 (below minimum 1)']));
    expect(by('valid')).toEqual(expect.arrayContaining(['.spec.size = 5 (at maximum 5)', '.spec.mode = "Slow" (another enum value)']));
    expect(by('enum')).toEqual(['.spec.mode = "fast" (not one of "Fast", "Slow")']);
    expect(by('list-set')).toEqual(['.spec.tags (x-kubernetes-list-type: set) with its first element twice']);
    expect(by('cel')).toEqual(expect.arrayContaining([expect.stringMatching(/^\.spec\.mode dropped to flip x-kubernetes-validations\[0\]/)]));
    expect(by('unknown-field')).toEqual(expect.arrayContaining(['unknown field .spec.zzUnknownField added']));
    expect(by('type')).toEqual(expect.arrayContaining(['.spec.size given a string where the schema says integer']));
    expect(by('null')).toEqual(expect.arrayContaining(['.spec.mode set to null (not nullable)']));
    expect(by('name')).toContain('metadata.name with an underscore');
    const dup = all.find(v => v.category === 'list-set')!;
    expect(dup.object.spec.tags).toEqual(['a', 'a']);
  });
});

describe('the server\'s refusals, read back to field paths', () => {
  const deployment = { spec: { template: { spec: { containers: [{ name: 'a' }, { name: 'b', env: [{ name: 'X' }, { name: 'X' }] }] } } }, metadata: { labels: { 'example.com/tier': 'x' } } };

  test('structured-merge-diff keys become indexes, dotted map keys stay whole', () => {
    expect(resolvePath('.spec.template.spec.containers[name="b"].env', deployment)).toEqual(['spec', 'template', 'spec', 'containers', 1, 'env']);
    expect(resolvePath('metadata.labels.example.com/tier', deployment)).toEqual(['metadata', 'labels', 'example.com/tier']);
    expect(resolvePath('spec.clusterIPs[0]', {})).toEqual(['spec', 'clusterIPs', 0]);
    // A key the object leaves out matches the server's default.
    expect(resolvePath('.spec.ports[port=80,protocol="TCP"].name', { spec: { ports: [{ port: 443 }, { port: 80 }] } })).toEqual(['spec', 'ports', 1, 'name']);
  });

  test('a Status\'s causes give the paths; a cause without a field names none; a typed-patch message gives its path', () => {
    expect(refusalPaths({ details: { causes: [{ field: 'spec.replicas' }, { field: '<nil>' }] } }, {})).toEqual([['spec', 'replicas']]);
    expect(refusalPaths({ message: 'failed to create typed patch object (ns/x; apps/v1, Kind=Deployment): .spec.template.spec.containers[name="b"].env: duplicate entries for key [name="X"]' }, deployment))
      .toEqual([['spec', 'template', 'spec', 'containers', 1, 'env']]);
  });

  test('agreement: both refuse only when every path the server names is one the validator names', () => {
    const base = { id: 'x', category: 'bound' as const, description: '', object: {} };
    const refusal = (p: string) => ({ file: 'x', path: p, message: 'Invalid value', severity: 'error' as const, rule: 'schema' });
    const server = { accepted: false, status: 422, message: '', paths: [['spec', 'size']] };
    expect(agreement({ ...base, server, refusals: [refusal('.spec.size')] } as CaseResult)).toBe('both-refuse');
    expect(agreement({ ...base, server, refusals: [refusal('.spec')] } as CaseResult)).toBe('both-refuse, other path');
    expect(agreement({ ...base, server, refusals: [] } as CaseResult)).toBe('server-only');
    expect(agreement({ ...base, server: { ...server, accepted: true, paths: [] }, refusals: [refusal('.spec')] } as CaseResult)).toBe('validator-only');
  });
});

describe('the known differences of docs/validator.md', () => {
  test('list exactly the differences the differential test knows', () => {
    const readme = require('fs').readFileSync(require('path').join(__dirname, '..', 'docs', 'validator.md'), 'utf8') as string;
    const section = readme.slice(readme.indexOf('## Known differences from a real API server'), readme.indexOf('## Speed'));
    const { KNOWN_DIFFERENCES } = require('../test/differential/compare') as typeof import('../test/differential/compare');
    for (const k of KNOWN_DIFFERENCES) expect(section).toContain(k.id);
    if (KNOWN_DIFFERENCES.length === 0) expect(section).toMatch(/The differential test finds none on its corpus/);
  });
});
