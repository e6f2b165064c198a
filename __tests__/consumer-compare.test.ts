// The consumer test's comparison (test/consumer/compare.ts): it must see every way two synth outputs can differ.
import { compareObjects, parseObjects } from '../test/consumer/compare';

const cm = (name: string, data: Record<string, string>, namespace = 'team') =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\ndata: ${JSON.stringify(data)}\n`;

describe('consumer output comparison', () => {
  test('finds no difference when the objects are equal in another order, formatting and file', () => {
    const actual = parseObjects(`${cm('a', { x: '1' })}---\n${cm('b', {})}`, 'a.yaml');
    const expected = [...parseObjects(cm('b', {}), 'b.yaml'), ...parseObjects(`---\n${cm('a', { x: '1' })}---\n`, 'c.yaml')];

    expect(compareObjects(actual, expected)).toEqual([]);
  });

  test('reports a missing object, an extra object and a duplicate, by key', () => {
    const actual = parseObjects(`${cm('a', {})}---\n${cm('a', {})}---\n${cm('extra', {})}`, 'dist.yaml');
    const expected = parseObjects(`${cm('a', {})}---\n${cm('gone', {})}`, 'ref.yaml');

    expect(compareObjects(actual, expected)).toEqual([
      'v1/ConfigMap/team/a: 2 in actual (dist.yaml#1, dist.yaml#2), 1 in expected (ref.yaml#1)',
      'only in actual: v1/ConfigMap/team/extra (dist.yaml#3)',
      'missing from actual: v1/ConfigMap/team/gone (expected ref.yaml#2)',
    ]);
  });

  test('names the path and both values where one object differs', () => {
    const actual = parseObjects(cm('a', { x: '1', y: '2' }), 'dist.yaml');
    const expected = parseObjects(cm('a', { x: '2' }), 'ref.yaml');

    expect(compareObjects(actual, expected)).toEqual([
      'v1/ConfigMap/team/a differs (actual dist.yaml#1, expected ref.yaml#1):',
      '    data.x: "1" vs "2"',
      '    data.y: "2" vs (absent)',
    ]);
  });

  test('reads YAML 1.1 as kubectl does, so an unquoted yes is a boolean on both sides', () => {
    const [quoted] = parseObjects('kind: X\nmetadata: {name: a}\nflag: "yes"\n', 'q.yaml');
    const [bare] = parseObjects('kind: X\nmetadata: {name: a}\nflag: yes\n', 'b.yaml');

    expect(bare.object.flag).toBe(true);
    expect(compareObjects([bare], [quoted])).toEqual([
      'undefined/X//a differs (actual b.yaml#1, expected q.yaml#1):',
      '    flag: true vs "yes"',
    ]);
  });

  test('fails on a YAML syntax error instead of reading less', () => {
    expect(() => parseObjects('a: [1, 2\n', 'bad.yaml')).toThrow(/bad.yaml: document 1 is not valid YAML/);
  });
});
