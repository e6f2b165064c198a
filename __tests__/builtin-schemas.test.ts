import * as fs from 'fs';
import * as jsyaml from 'js-yaml';
import * as path from 'path';
import { BuiltinSchemas } from '../lib/validate/builtin-schemas';

const schemas = new BuiltinSchemas();
const mirror = process.env.UPSTREAM_MIRROR ?? path.join(__dirname, '..', '..', 'shared', 'upstream');

function deployment(): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'apps', labels: { app: 'web' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
      template: {
        metadata: { labels: { app: 'web' }, annotations: { 'example.com/revision': '3' } },
        spec: {
          containers: [{
            name: 'web',
            image: 'nginx:1.27',
            imagePullPolicy: 'IfNotPresent',
            ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
            resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: 1, memory: '128Mi' } },
            readinessProbe: { httpGet: { path: '/healthz', port: 'http' } },
            livenessProbe: { tcpSocket: { port: 8080 } },
          }],
        },
      },
    },
  };
}

function service(): any {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'apps' },
    spec: { type: 'ClusterIP', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] },
  };
}

function crd(): any {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
      versions: [{
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                default: { size: 3, anything: { nested: [1, 'two', { three: true }] } },
                example: { whatever: 'goes', here: { x: 1 } },
                properties: {
                  size: { type: 'integer', minimum: 1, enum: [1, 3, 5] },
                  'weird.name/with-slash': { type: 'string' },
                  tags: { type: 'array', items: { type: 'string', 'x-not-a-schema-field': 'decoded leniently' } },
                  labels: { type: 'object', additionalProperties: { type: 'string' } },
                  strict: { type: 'object', additionalProperties: false },
                  blob: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                },
                'x-kubernetes-validations': [{ rule: 'self.size > 0', message: 'size must be positive' }],
              },
            },
          },
        },
      }],
    },
  };
}

describe('BuiltinSchemas.has', () => {
  it('knows core and group kinds by apiVersion and kind', () => {
    expect(schemas.has('apps/v1', 'Deployment')).toBe(true);
    expect(schemas.has('v1', 'Namespace')).toBe(true);
    expect(schemas.has('apiextensions.k8s.io/v1', 'CustomResourceDefinition')).toBe(true);
    expect(schemas.has('admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicyBinding')).toBe(true);
    expect(schemas.has('policy/v1', 'PodDisruptionBudget')).toBe(true);
  });

  it('does not know custom resources, unknown kinds or a known kind under the wrong apiVersion', () => {
    expect(schemas.has('cert-manager.io/v1', 'Certificate')).toBe(false);
    expect(schemas.has('v1', 'Widget')).toBe(false);
    expect(schemas.has('v1', 'Deployment')).toBe(false);
  });

  it('records which package and version the field data came from, matching the installed one', () => {
    const installed = JSON.parse(fs.readFileSync(path.join(path.dirname(require.resolve('kubernetes-models')), 'package.json'), 'utf8')).version;
    expect(schemas.source).toEqual(expect.objectContaining({ package: 'kubernetes-models', version: installed }));
  });
});

describe('BuiltinSchemas.validate accepts valid objects', () => {
  it.each([
    ['Deployment', deployment()],
    ['Service', service()],
    ['Namespace', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps', labels: { team: 'a' } } }],
    ['ClusterRole', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'reader' },
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }],
    }],
    ['ConfigMap', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { 'app.properties': 'a=1\n', key: 'v' } }],
    ['Secret', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'Opaque', data: { token: 'c2VjcmV0' }, stringData: { plain: 'x' } }],
    ['CustomResourceDefinition', crd()],
  ])('a valid %s passes', (_kind, obj) => {
    expect(schemas.validate(obj)).toEqual([]);
  });

  it('accepts both an integer and a name as an int-or-string targetPort', () => {
    const byName = service();
    const byNumber = service();
    byNumber.spec.ports[0].targetPort = 8080;
    expect(schemas.validate(byName)).toEqual([]);
    expect(schemas.validate(byNumber)).toEqual([]);
  });

  it('does not flag free-form content inside a CRD openAPIV3Schema (default, example, items, property names)', () => {
    expect(schemas.validate(crd())).toEqual([]);
  });
});

describe('BuiltinSchemas.validate reports what the API server rejects', () => {
  it('a wrong type: replicas as a string', () => {
    const d = deployment();
    d.spec.replicas = '3';
    expect(schemas.validate(d)).toEqual([{ path: '.spec.replicas', message: 'Invalid value: expected integer, got string "3"', shape: true }]);
  });

  it('an unsupported enum value: Service port protocol "TCPP"', () => {
    const s = service();
    s.spec.ports[0].protocol = 'TCPP';
    expect(schemas.validate(s)).toEqual([{
      path: '.spec.ports[0].protocol',
      message: 'Unsupported value: "TCPP": supported values: "SCTP", "TCP", "UDP"',
    }]);
  });

  it('a missing required field: a container without a name', () => {
    const d = deployment();
    delete d.spec.template.spec.containers[0].name;
    expect(schemas.validate(d)).toEqual([{
      path: '.spec.template.spec.containers[0].name',
      message: 'Required value: must have property "name"',
    }]);
  });

  it('an unknown field at the top level', () => {
    const d = deployment();
    d.specs = {};
    expect(schemas.validate(d)).toEqual([{ path: '.specs', message: 'unknown field "specs"' }]);
  });

  it('an unknown field in metadata', () => {
    const n = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps', label: { a: 'b' } } };
    expect(schemas.validate(n)).toEqual([{ path: '.metadata.label', message: 'unknown field "metadata.label"' }]);
  });

  it('an unknown field deep in a pod template', () => {
    const d = deployment();
    d.spec.template.spec.containers[0].imagePullPolicyy = 'Always';
    expect(schemas.validate(d)).toEqual([{
      path: '.spec.template.spec.containers[0].imagePullPolicyy',
      message: 'unknown field "spec.template.spec.containers[0].imagePullPolicyy"',
    }]);
  });

  it('an unknown field in a CRD schema object (JSONSchemaProps is decoded strictly), but not inside its items', () => {
    const c = crd();
    c.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.size.minimun = 1;
    expect(schemas.validate(c)).toEqual([{
      path: '.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.size.minimun',
      message: 'unknown field "spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.size.minimun"',
    }]);
  });

  it('still type-checks schemas inside a CRD items and additionalProperties', () => {
    const c = crd();
    const props = c.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties;
    props.tags.items.maxLength = 'ten';
    props.labels.additionalProperties = 'yes';
    expect(schemas.validate(c)).toEqual([
      { path: '.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.tags.items.maxLength', message: 'Invalid value: expected integer, got string "ten"', shape: true },
      { path: '.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.labels.additionalProperties', message: 'Invalid value: expected object or boolean, got string "yes"' },
    ]);
  });

  it('int-or-string and quantity values of the wrong kind, and malformed quantities', () => {
    const d = deployment();
    const c = d.spec.template.spec.containers[0];
    c.livenessProbe.tcpSocket.port = true;
    c.resources.limits.memory = '1 gigabyte';
    expect(schemas.validate(d)).toEqual([
      { path: '.spec.template.spec.containers[0].livenessProbe.tcpSocket.port', message: 'Invalid value: expected integer or string, got boolean true', shape: true },
      {
        path: '.spec.template.spec.containers[0].resources.limits.memory',
        message: 'Invalid value: "1 gigabyte": quantities must match the regular expression \'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$\'',
      },
    ]);
  });

  it('non-string ConfigMap data values, with keys containing dots quoted in the path', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { 'app.properties': 3 } };
    expect(schemas.validate(cm)).toEqual([{ path: '.data["app.properties"]', message: 'Invalid value: expected string, got number 3', shape: true }]);
  });

  it('Secret data that is not base64, without echoing the secret', () => {
    const s = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { token: 'not base64!' } };
    expect(schemas.validate(s)).toEqual([{ path: '.data.token', message: 'Invalid value: must be base64-encoded' }]);
  });

  it('an object without metadata.name', () => {
    const n = { apiVersion: 'v1', kind: 'Namespace', metadata: { labels: { a: 'b' } } };
    expect(schemas.validate(n)).toEqual([{ path: '.metadata.name', message: 'Required value: name or generateName is required' }]);
  });

  it('reports every problem of one object, not just the first', () => {
    const d = deployment();
    d.spec.replicas = '3';
    d.metadata.nmae = 'x';
    d.spec.template.spec.containers[0].ports[0].protocol = 'TCPP';
    expect(schemas.validate(d).map(i => i.path).sort()).toEqual([
      '.metadata.nmae', '.spec.replicas', '.spec.template.spec.containers[0].ports[0].protocol',
    ]);
  });

  it('an unknown kind is reported rather than passed', () => {
    expect(schemas.validate({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }))
      .toEqual([{ path: '.kind', message: 'Unsupported value: "Widget": not a built-in kind of apiVersion "example.com/v1"' }]);
  });
});

describe('metadata of every built-in kind, as apimachinery ValidateObjectMeta checks it', () => {
  const namespace = (metadata: object) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps', ...metadata } });
  const configMap = (metadata: object) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'apps', ...metadata } });

  it('accepts prefixed and plain label keys, empty label values, and annotation keys with capitals in the prefix', () => {
    expect(schemas.validate(namespace({ labels: { 'app.kubernetes.io/name': 'web', tier: '', 'A_b.c': 'X-1' } }))).toEqual([]);
    expect(schemas.validate(configMap({ annotations: { 'Example.COM/Revision': 'any text: even spaces', note: '' } }))).toEqual([]);
  });

  // The server's path is the map (`metadata.labels`); the key or value is in the message.
  it('a label key that is not a qualified name, on a Namespace the server would refuse', () => {
    expect(schemas.validate(namespace({ labels: { 'team/a/b': 'x', 'Example.com/a': 'x', '-bad': 'x', [`${'k'.repeat(64)}`]: 'x', '/x': 'x' } })).map(i => `${i.path}: ${i.message}`)).toEqual([
      expect.stringMatching(/^\.metadata\.labels: Invalid value: "team\/a\/b": a qualified name must consist of/),
      expect.stringMatching(/^\.metadata\.labels: Invalid value: "Example.com\/a": prefix part "Example.com" must be a lowercase RFC 1123 subdomain/),
      expect.stringMatching(/^\.metadata\.labels: Invalid value: "-bad": a qualified name must/),
      expect.stringMatching(/^\.metadata\.labels: Invalid value: "k{64}": name part must be no more than 63 characters \(it has 64\)/),
      expect.stringMatching(/^\.metadata\.labels: Invalid value: "\/x": prefix part must be non-empty/),
    ]);
  });

  it('a label value that is too long or has characters a label may not hold', () => {
    expect(schemas.validate(configMap({ labels: { a: 'has space', b: 'v'.repeat(64), c: 'ends-' } })).map(i => i.path)).toEqual([
      '.metadata.labels', '.metadata.labels', '.metadata.labels',
    ]);
  });

  it('an annotation key that is not a qualified name even in lower case', () => {
    expect(schemas.validate(configMap({ annotations: { 'has space': 'x' } }))).toEqual([
      { path: '.metadata.annotations', message: expect.stringMatching(/^Invalid value: "has space": a qualified name must/) },
    ]);
  });

  it('annotations above 256 KiB in total, keys and values counted in bytes', () => {
    const half = 'é'.repeat(64 * 1024); // 128 KiB each in UTF-8
    expect(schemas.validate(configMap({ annotations: { a: half, b: half } }))).toEqual([
      { path: '.metadata.annotations', message: 'Too long: may not be more than 262144 bytes: the annotations hold 262146 bytes (keys and values together); keep large data in a ConfigMap instead' },
    ]);
    expect(schemas.validate(configMap({ annotations: { a: half, b: half.slice(1) } }))).toEqual([]);
  });
});

describe('upstream manifests', () => {
  const manifests = [
    'github.com/cert-manager/cert-manager/releases/download/v1.21.1/cert-manager.yaml',
    'raw.githubusercontent.com/kserve/kserve/v0.20.0/install/v0.20.0/kserve.yaml',
  ];

  it.each(manifests)('every built-in object in %s validates clean', manifest => {
    const docs = jsyaml.loadAll(fs.readFileSync(path.join(mirror, manifest), 'utf8')).filter(d => d != null) as any[];
    const builtins = docs.filter(d => schemas.has(d.apiVersion, d.kind));
    expect(builtins.length).toBeGreaterThan(10);
    const findings = builtins.flatMap(d => schemas.validate(d).map(i => `${d.kind} ${d.metadata?.name}: ${i.path}: ${i.message}`));
    expect(findings).toEqual([]);
  });
});
