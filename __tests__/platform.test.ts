// Every platform object in dist/ must mean exactly what its upstream file means, and dist/ must apply in order.
import { App } from 'cdk8s';
import * as YAML from 'yaml';
import { LlmServingStack, LlmServingStackProps } from '../lib/stack';
import { guidePreset } from '../lib/presets/guide';
import { renderApp } from '../lib/synthesizer';
import { splitDocuments } from '../lib/platform/upstream-manifest';
import {
  AGENTGATEWAY_CRDS, CERT_MANAGER_MANIFEST, GATEWAY_API_EXPERIMENTAL, GATEWAY_API_STANDARD, KSERVE_CLUSTER_RESOURCES, KSERVE_MANIFEST,
  UpstreamArtifact,
} from '../lib/upstream/artifacts';
import { mirrorResolver, parseAll } from './helpers';

const resolver = mirrorResolver();
const parsed = new Map<string, any[]>();
const upstream = (a: UpstreamArtifact) => {
  if (!parsed.has(a.url)) parsed.set(a.url, parseAll(resolver.readText(a)));
  return parsed.get(a.url)!;
};

/** Renders the stack; objects are parsed on first use, and only from the files asked for. */
function render(props: LlmServingStackProps = {}) {
  const app = new App();
  const stack = new LlmServingStack(app, 'Stack', { ...guidePreset(), ...props, resolver });
  const files = renderApp(app);
  const objectsIn = (suffix: string) => files.filter(f => f.name.endsWith(suffix)).flatMap(f => parseAll(f.content).map(o => ({ ...o, file: f.name })));
  return {
    stack,
    files,
    objectsIn,
    get objects() {
      return objectsIn('');
    },
  };
}
const strip = ({ file: _file, ...o }: any) => o;
/** Object-for-object equality of long lists of large objects, compared as JSON text (much faster than a deep walk). */
const asJson = (objects: any[]) => objects.map(o => JSON.stringify(o));
const isConfigMap = (o: any) => o.kind === 'ConfigMap' && o.metadata.name === 'inferenceservice-config';

// One render of the default stack, parsed once, serves every test that reads the default output.
const defaults = render();

describe('the full stack', () => {
  const { files, objects } = defaults;
  const inFile = (suffix: string) => objects.filter(o => o.file.endsWith(suffix)).map(strip);

  test('writes the platform charts before the guide\'s, in the guide\'s install order', () => {
    expect(files.map(f => f.name)).toEqual([
      '0000-gateway-api.k8s.yaml', '0001-agentgateway.k8s.yaml', '0002-cert-manager.k8s.yaml', '0003-kserve-crds.k8s.yaml',
      '0004-kserve.k8s.yaml', '0005-kserve-resources.k8s.yaml', '0006-ingress.k8s.yaml', '0007-models.k8s.yaml',
    ]);
  });

  test('Gateway API CRDs are the standard channel files, object for object', () => {
    expect(asJson(inFile('-gateway-api.k8s.yaml'))).toEqual(asJson(GATEWAY_API_STANDARD.flatMap(upstream)));
  });

  test('agentgateway CRDs are the chart\'s CRD files, followed by its namespace and control plane', () => {
    const objs = inFile('-agentgateway.k8s.yaml');
    const crds = AGENTGATEWAY_CRDS.flatMap(upstream);
    expect(asJson(objs.slice(0, crds.length))).toEqual(asJson(crds));
    expect(objs.slice(crds.length).map(o => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Namespace/agentgateway-system', 'ServiceAccount/agentgateway', 'ClusterRole/agentgateway-agentgateway-system',
      'ClusterRoleBinding/agentgateway-role-agentgateway-system', 'Service/agentgateway', 'Deployment/agentgateway',
    ]);
  });

  test('cert-manager is its release manifest, byte for byte', () => {
    expect(files[2].content).toBe(resolver.readText(CERT_MANAGER_MANIFEST));
  });

  test('KServe is kserve.yaml after Namespace kserve, every object equal except the two configured ConfigMap keys', () => {
    const [namespace, ...rest] = [...inFile('-kserve-crds.k8s.yaml'), ...inFile('-kserve.k8s.yaml'), ...inFile('-kserve-resources.k8s.yaml')]
      .sort((a, b) => (a.kind === 'Namespace' ? -1 : b.kind === 'Namespace' ? 1 : 0));
    expect(namespace).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kserve' } });
    const expected = upstream(KSERVE_MANIFEST);
    // Split into phases (CRDs, the rest, the custom resources of its own CRDs), but every object upstream's, once.
    const key = (o: any) => `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
    const sorted = (objs: any[]) => [...objs].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    expect(asJson(sorted(rest.filter(o => !isConfigMap(o))))).toEqual(asJson(sorted(expected.filter(o => !isConfigMap(o)))));
    const ours = rest.find(isConfigMap);
    const theirs = expected.find(isConfigMap);
    const { deploy, ingress, ...otherData } = ours.data;
    const { deploy: _d, ingress: _i, ...upstreamOtherData } = theirs.data;
    expect({ ...ours, data: otherData }).toEqual({ ...theirs, data: upstreamOtherData });
    expect(rest.indexOf(ours)).toBe(expected.indexOf(theirs));
    expect(typeof deploy).toBe('string');
    expect(typeof ingress).toBe('string');
  });

  test('the KServe ConfigMap reads the same under YAML 1.1 (how kubectl reads it) as under YAML 1.2', () => {
    const text = files.find(f => f.name.endsWith('-kserve.k8s.yaml'))!.content;
    const doc = text.split(/^---\n/m).find(d => /^kind: ConfigMap$/m.test(d) && /name: inferenceservice-config$/m.test(d))!;
    expect(YAML.parse(doc, { version: '1.1' })).toEqual(YAML.parse(doc, { version: '1.2' }));
  });

  test('configures KServe as the guide\'s Helm values do: Standard mode, Gateway API through kserve/kserve-ingress-gateway', () => {
    const cm = inFile('-kserve.k8s.yaml').find(isConfigMap);
    const upstreamIngress = JSON.parse(upstream(KSERVE_MANIFEST).find(isConfigMap).data.ingress);
    expect(JSON.parse(cm.data.deploy)).toEqual({ defaultDeploymentMode: 'Standard' });
    expect(JSON.parse(cm.data.ingress)).toEqual({
      ...upstreamIngress,
      enableGatewayApi: true,
      kserveIngressGateway: 'kserve/kserve-ingress-gateway',
      ingressClassName: 'agentgateway',
      disableIstioVirtualHost: true,
      disableIngressCreation: false,
      localGateway: '',
      localGatewayService: '',
    });
  });

  describe('apply order', () => {
    const crdKinds = new Map<string, number>();
    const namespaces = new Map<string, number>();
    objects.forEach((o, i) => {
      if (o.kind === 'CustomResourceDefinition') for (const v of o.spec.versions) crdKinds.set(`${o.spec.group}/${v.name}/${o.spec.names.kind}`, i);
      if (o.kind === 'Namespace') namespaces.set(o.metadata.name, i);
    });
    const systemNamespaces = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

    test('every custom resource comes after its CRD', () => {
      const late = objects.flatMap((o, i) => {
        const key = `${o.apiVersion}/${o.kind}`;
        const at = crdKinds.get(key);
        return at !== undefined && at > i ? [`${o.kind} ${o.metadata.name} (${o.file}) before its CRD`] : [];
      });
      expect(late).toEqual([]);
      expect(objects.filter(o => crdKinds.has(`${o.apiVersion}/${o.kind}`)).length).toBeGreaterThan(5);
    });

    test('every namespaced object comes after its Namespace, which the stack creates', () => {
      const problems = objects.flatMap((o, i) => {
        const ns = o.metadata?.namespace;
        if (!ns || systemNamespaces.has(ns)) return [];
        const at = namespaces.get(ns);
        return at === undefined || at > i ? [`${o.kind} ${ns}/${o.metadata.name} (${o.file})`] : [];
      });
      expect(problems).toEqual([]);
    });

    test('custom resources of cluster-scoped CRDs and built-in cluster-scoped kinds carry no namespace', () => {
      const clusterScoped = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'MutatingWebhookConfiguration',
        'ValidatingWebhookConfiguration', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding']);
      for (const o of objects) if (o.kind === 'CustomResourceDefinition' && o.spec.scope === 'Cluster') clusterScoped.add(o.spec.names.kind);
      // Upstream's own objects are exempt: they must stay as upstream wrote them (kserve.yaml's
      // ClusterStorageContainer carries `namespace: kserve`, which kubectl drops for cluster-scoped kinds).
      const verbatim = new Set([...GATEWAY_API_STANDARD, ...AGENTGATEWAY_CRDS, CERT_MANAGER_MANIFEST, KSERVE_MANIFEST].flatMap(upstream).map(o => JSON.stringify(o)));
      const ours = objects.map(strip).filter(o => !verbatim.has(JSON.stringify(o)));
      expect(ours.length).toBeGreaterThan(10);
      expect(ours.filter(o => clusterScoped.has(o.kind) && o.metadata.namespace !== undefined).map(o => `${o.kind} ${o.metadata.name}`)).toEqual([]);
    });

    test('no object is defined twice', () => {
      const keys = objects.map(o => `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
      expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
    });
  });
});

describe('platform options', () => {
  test('each component can be left out, and the rest keep their order', () => {
    const { files } = render({ platform: { certManager: false, agentgateway: false } });
    expect(files.map(f => f.name)).toEqual(['0000-gateway-api.k8s.yaml', '0001-kserve-crds.k8s.yaml', '0002-kserve.k8s.yaml',
      '0003-kserve-resources.k8s.yaml', '0004-ingress.k8s.yaml', '0005-models.k8s.yaml']);
  });

  test('without the KServe component the ingress chart creates Namespace kserve itself', () => {
    const { objects } = render({ platform: { kserve: false } });
    expect(objects.filter(o => o.kind === 'Namespace' && o.metadata.name === 'kserve').map(o => o.file)).toEqual(['0003-ingress.k8s.yaml']);
  });

  test('the experimental channel installs the experimental files', () => {
    const crds = render({ platform: { gatewayApi: { channel: 'experimental' as any } } }).objectsIn('-gateway-api.k8s.yaml').map(strip);
    expect(asJson(crds)).toEqual(asJson(GATEWAY_API_EXPERIMENTAL.flatMap(upstream)));
    expect(crds.map(o => o.metadata.name)).toContain('xbackendtrafficpolicies.gateway.networking.x-k8s.io');
  });

  test('the safe-upgrades admission policy can be left out', () => {
    const crds = render({ platform: { gatewayApi: { safeUpgradesPolicy: false } } }).objectsIn('-gateway-api.k8s.yaml');
    expect(crds.filter(o => o.kind.startsWith('ValidatingAdmissionPolicy'))).toEqual([]);
    expect(crds.length).toBeGreaterThan(5);
  });

  test('ClusterServingRuntimes are off by default and come from kserve-cluster-resources.yaml when on', () => {
    expect(defaults.objects.filter(o => o.kind === 'ClusterServingRuntime')).toEqual([]);
    const { files } = render({ platform: { kserve: { clusterServingRuntimes: true } } });
    const resources = upstream(KSERVE_CLUSTER_RESOURCES);
    // Only the tail of the file is parsed: the cluster resources come last, after kserve.yaml.
    // The cluster resources are custom resources of KServe's own CRDs: the -resources phase, after kserve.yaml's.
    const tail = splitDocuments(files.find(f => f.name.endsWith('-kserve-resources.k8s.yaml'))!.content).slice(-resources.length);
    expect(asJson(tail.flatMap(parseAll))).toEqual(asJson(resources));
    expect(resources.filter(o => o.kind === 'ClusterServingRuntime')).toHaveLength(14);
  });

  test('llmInferenceServiceConfigs installs only the LLMInferenceServiceConfigs of kserve-cluster-resources.yaml, byte for byte, after the CRDs', () => {
    const { stack, files } = render({ platform: { kserve: { llmInferenceServiceConfigs: true } } });
    const text = resolver.readText(KSERVE_CLUSTER_RESOURCES);
    const configs = splitDocuments(text).filter(d => /^kind: LLMInferenceServiceConfig$/m.test(d));
    expect(configs).toHaveLength(10);
    // The documents the guide's kserve-runtime-configs chart emits: the tail of the file, from the first config on.
    expect(configs.join('---\n')).toBe(text.slice(text.indexOf(configs[0])));
    expect(stack.kserve!.clusterResources!.apiObjects.map(o => `${o.kind}/${o.metadata.namespace}/${o.name}`))
      .toEqual(configs.map(d => `LLMInferenceServiceConfig/kserve/${/^ {2}name: (.*)$/m.exec(d)![1]}`));
    const resourcesPhase = files.find(f => f.name.endsWith('-kserve-resources.k8s.yaml'))!.content;
    expect(resourcesPhase.endsWith(`---\n${configs.join('---\n')}`)).toBe(true);
    expect(files.map(f => f.name)).toEqual(defaults.files.map(f => f.name));
    expect(LlmServingStack.requiredArtifacts({ platform: { kserve: { llmInferenceServiceConfigs: true } } }).map(a => a.url))
      .toContain(KSERVE_CLUSTER_RESOURCES.url);
  });

  test('with clusterServingRuntimes too, the whole file is installed once', () => {
    const { stack, objects } = render({ platform: { kserve: { clusterServingRuntimes: true, llmInferenceServiceConfigs: true } } });
    expect(stack.kserve!.clusterResources!.apiObjects).toHaveLength(upstream(KSERVE_CLUSTER_RESOURCES).length);
    const keys = objects.filter(o => o.kind === 'LLMInferenceServiceConfig').map(o => o.metadata.name);
    expect(keys).toHaveLength(10);
    expect(new Set(keys).size).toBe(10);
  });

  test('the KServe ingress domain reaches both the ConfigMap and the hostnames the app computes', () => {
    const { stack, objectsIn } = render({ kserveIngress: { ingressDomain: 'llm.corp.example' } });
    expect(stack.kserve!.ingressConfig.ingressDomain).toBe('llm.corp.example');
    expect(JSON.parse(objectsIn('-kserve.k8s.yaml').find(isConfigMap).data.ingress).ingressDomain).toBe('llm.corp.example');
    expect(objectsIn('-models.k8s.yaml').find(o => o.kind === 'HTTPRoute').spec.hostnames).toEqual(['mock-llm-kserve-test.llm.corp.example']);
    expect(stack.models.models[0].inferenceService.hostname).toBe('mock-llm-kserve-test.llm.corp.example');
  });

  test('KServe attaches its routes to the stack\'s gateway, wherever it is', () => {
    const { stack, objectsIn } = render({ gateway: { name: 'edge', namespace: 'ingress' } });
    expect(stack.kserve!.ingressConfig.kserveIngressGateway).toBe('ingress/edge');
    expect(objectsIn('-ingress.k8s.yaml').map(o => `${o.kind}/${o.metadata.name}`)).toEqual(['Namespace/ingress', 'Gateway/edge']);
  });

  test('KServe\'s deployment mode and ingress keys are typed props', () => {
    const { stack } = render({ platform: { kserve: { defaultDeploymentMode: 'Knative' as any, ingress: { disableIngressCreation: true, additionalIngressDomains: ['b.example'] } } } });
    expect(stack.kserve!.deployConfig.defaultDeploymentMode).toBe('Knative');
    expect(stack.kserve!.ingressConfig).toMatchObject({ disableIngressCreation: true, additionalIngressDomains: ['b.example'], enableGatewayApi: true });
  });

  test.each([
    [{ defaultDeploymentMode: 'Raw' }, /KServe: defaultDeploymentMode must be one of Standard, Knative, ModelMesh, RawDeployment, Serverless, got "Raw"/],
    [{ ingress: { kserveIngressGateway: 'kserve-ingress-gateway' } }, /ingress.kserveIngressGateway must be "<namespace>\/<name>" of the ingress Gateway/],
    [{ ingress: { urlScheme: 'ftp' } }, /ingress.urlScheme must be "http" or "https", got "ftp"/],
    [{ ingress: { additionalIngressDomains: ['Bad Domain'] } }, /ingress.additionalIngressDomains\[\] must be an RFC 1123 host name/],
    [{ ingress: { enableGatewayApi: 'yes' } }, /ingress.enableGatewayApi must be true or false, got "yes"/],
    [{ llmInferenceServiceConfigs: 'true' }, /llmInferenceServiceConfigs must be true or false, got "true"/],
  ])('KServe rejects bad props: %j', (kserve, message) => {
    expect(() => render({ platform: { kserve: kserve as any } })).toThrow(message);
  });

  test('an unknown Gateway API channel is an error', () => {
    expect(() => render({ platform: { gatewayApi: { channel: 'beta' as any } } })).toThrow(/\] GatewayApiCrds: channel must be one of standard, experimental, got "beta"/);
  });

  test('requiredArtifacts lists exactly the files the stack reads', () => {
    expect(LlmServingStack.requiredArtifacts().map(a => a.url)).toEqual([
      ...GATEWAY_API_STANDARD, ...AGENTGATEWAY_CRDS, CERT_MANAGER_MANIFEST, KSERVE_MANIFEST,
    ].map(a => a.url));
    expect(LlmServingStack.requiredArtifacts({ platform: { gatewayApi: false, agentgateway: { crds: false }, certManager: false, kserve: false } })).toEqual([]);
  });
});
