// The Gateway API Inference Extension CRDs as a platform component, and KServe leaving out its own copy of them:
// with both on, the cluster ends with GAIE v1.5.0's InferencePool CRD and dist/ defines every object once.
import { App, Testing } from 'cdk8s';
import { LlmServingStack, LlmServingStackProps } from '../lib/stack';
import { guidePreset } from '../lib/presets/guide';
import { renderApp } from '../lib/synthesizer';
import { InferenceExtensionCrds } from '../lib/platform/inference-extension-crds';
import { KServe } from '../lib/platform/kserve';
import { AGENTGATEWAY_CRDS, CERT_MANAGER_MANIFEST, GATEWAY_API_STANDARD, INFERENCE_EXTENSION_CRDS, KSERVE_MANIFEST, UpstreamArtifact } from '../lib/upstream/artifacts';
import { PLATFORM_COMPONENTS } from '../lib/upstream/components';
import { mirrorResolver, parseAll } from './helpers';

const resolver = mirrorResolver();
const parsed = new Map<string, any[]>();
const upstream = (a: UpstreamArtifact) => {
  if (!parsed.has(a.url)) parsed.set(a.url, parseAll(resolver.readText(a)));
  return parsed.get(a.url)!;
};
const POOL_CRD = 'inferencepools.inference.networking.k8s.io';
const TRANSITIONAL_POOL_CRD = 'inferencepools.inference.networking.x-k8s.io';
const identity = (o: any) => `${o.apiVersion.split('/').slice(0, -1).join('/')}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const crdsIn = (objects: any[]) => objects.filter(o => o.kind === 'CustomResourceDefinition');

function render(props: LlmServingStackProps = {}) {
  const app = new App();
  const stack = new LlmServingStack(app, 'Stack', { ...guidePreset(), ...props, resolver });
  const files = renderApp(app);
  const objects = files.flatMap(f => parseAll(f.content).map(o => ({ ...o, file: f.name })));
  return { stack, files, objects };
}

// One render with the component and one without serve every test that reads them.
const withGaie = render({ platform: { inferenceExtension: {}, agentgateway: { inferenceExtension: true } } });
const without = render();

describe('the Inference Extension component', () => {
  test('is off by default, so the existing profiles\' dist/ keeps its files', () => {
    const { stack, files } = without;
    expect(stack.inferenceExtension).toBeUndefined();
    expect(files.map(f => f.name).filter(n => n.includes('inference-extension'))).toEqual([]);
    expect(PLATFORM_COMPONENTS.find(c => c.id === 'inference-extension')!.optIn).toBe(true);
  });

  test('is applied after the Gateway API CRDs and before agentgateway, whose controller must find InferencePool at start', () => {
    expect(withGaie.files.map(f => f.name)).toEqual([
      '0000-gateway-api.k8s.yaml', '0001-inference-extension.k8s.yaml', '0002-agentgateway.k8s.yaml', '0003-cert-manager.k8s.yaml',
      '0004-kserve-crds.k8s.yaml', '0005-kserve.k8s.yaml', '0006-kserve-resources.k8s.yaml', '0007-ingress.k8s.yaml', '0008-models.k8s.yaml',
    ]);
  });

  test('pairs with agentgateway\'s inferenceExtension, which reaches the control plane in dist/', () => {
    const deployment = withGaie.objects.find(o => o.kind === 'Deployment' && o.file.endsWith('-agentgateway.k8s.yaml'));
    expect(deployment.spec.template.spec.containers[0].env).toContainEqual({ name: 'AGW_ENABLE_INFER_EXT', value: 'true' });
  });

  test('writes the four v1.5.0 CRD files byte for byte, in upstream order', () => {
    const file = withGaie.files.find(f => f.name.endsWith('-inference-extension.k8s.yaml'))!;
    expect(file.content).toBe(INFERENCE_EXTENSION_CRDS.map(a => resolver.readText(a)).join('---\n'));
    expect(withGaie.stack.inferenceExtension!.crdNames).toEqual([
      POOL_CRD, 'inferencemodelrewrites.inference.networking.x-k8s.io', 'inferenceobjectives.inference.networking.x-k8s.io',
      'inferencepoolimports.inference.networking.x-k8s.io',
    ]);
  });

  test('reaches plain cdk8s synthesis too', () => {
    const chart = Testing.chart();
    new InferenceExtensionCrds(chart, 'Gaie', { resolver });
    expect(Testing.synth(chart)).toEqual(INFERENCE_EXTENSION_CRDS.flatMap(upstream));
  });

  test('is prefetched with the stack: requiredArtifacts lists its files between Gateway API\'s and agentgateway\'s', () => {
    expect(LlmServingStack.requiredArtifacts({ platform: { inferenceExtension: {} } }).map(a => a.url)).toEqual([
      ...GATEWAY_API_STANDARD, ...INFERENCE_EXTENSION_CRDS, ...AGENTGATEWAY_CRDS, CERT_MANAGER_MANIFEST, KSERVE_MANIFEST,
    ].map(a => a.url));
    expect(PLATFORM_COMPONENTS.flatMap(c => c.artifacts)).toEqual(expect.arrayContaining([...INFERENCE_EXTENSION_CRDS]));
  });
});

describe('KServe with the Inference Extension component', () => {
  test('leaves out of kserve.yaml exactly the CRDs the component installs, and keeps the transitional x-k8s.io InferencePool', () => {
    const kserveCrds = crdsIn(upstream(KSERVE_MANIFEST)).map(o => o.metadata.name);
    const gaieCrds = withGaie.stack.inferenceExtension!.crdNames;
    expect(withGaie.stack.kserve!.omittedCrds).toEqual(kserveCrds.filter(n => gaieCrds.includes(n)));
    expect(withGaie.stack.kserve!.omittedCrds).toEqual([POOL_CRD]);
    const ours = crdsIn(withGaie.objects.filter(o => o.file.includes('-kserve'))).map(o => o.metadata.name);
    expect(ours).toEqual(kserveCrds.filter(n => n !== POOL_CRD));
    expect(ours).toContain(TRANSITIONAL_POOL_CRD);
  });

  test('the cluster ends with GAIE v1.5.0\'s InferencePool CRD exactly, and no object is defined twice in dist/', () => {
    // Applying the files in order: the last definition of an identity is the one the cluster keeps.
    const cluster = new Map<string, any>();
    const keys = withGaie.objects.map(identity);
    withGaie.objects.forEach(({ file: _file, ...o }, i) => cluster.set(keys[i], o));
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
    const pool = cluster.get(`apiextensions.k8s.io/CustomResourceDefinition//${POOL_CRD}`);
    expect(pool).toEqual(crdsIn(upstream(INFERENCE_EXTENSION_CRDS[0]))[0]);
    expect(pool.metadata.annotations['inference.networking.k8s.io/bundle-version']).toBe('v1.5.0');
    expect(cluster.get(`apiextensions.k8s.io/CustomResourceDefinition//${TRANSITIONAL_POOL_CRD}`).metadata.annotations)
      .toMatchObject({ 'inference.networking.k8s.io/bundle-version': 'v1.3.1' });
  });

  test('without the component, KServe keeps its own copy (bundle-version v1.5.0-rc.2)', () => {
    const { stack, objects } = without;
    expect(stack.kserve!.omittedCrds).toEqual([]);
    const pool = objects.find(o => o.kind === 'CustomResourceDefinition' && o.metadata.name === POOL_CRD);
    expect(pool.file).toMatch(/-kserve-crds\.k8s\.yaml$/);
    expect(pool.metadata.annotations['inference.networking.k8s.io/bundle-version']).toBe('v1.5.0-rc.2');
  });

  test('CRDs a user names in crdsProvidedElsewhere are left out too, beside the component\'s', () => {
    const { stack } = render({ platform: { inferenceExtension: {}, kserve: { crdsProvidedElsewhere: ['trainedmodels.serving.kserve.io'] } } });
    expect(stack.kserve!.omittedCrds).toEqual([POOL_CRD, 'trainedmodels.serving.kserve.io']);
  });

  test('crdsProvidedElsewhere ignores names kserve.yaml does not carry', () => {
    const kserve = new KServe(Testing.chart(), 'KServe', { resolver, crdsProvidedElsewhere: ['widgets.example.com'] });
    expect(kserve.omittedCrds).toEqual([]);
  });

  test.each([
    [['InferencePools'], /crdsProvidedElsewhere\[\] must be a CRD name, `<plural>.<group>` \(e.g. "inferencepools.inference.networking.k8s.io"\), got "InferencePools"/],
    ['inferencepools.inference.networking.k8s.io', /crdsProvidedElsewhere must be an array of CRD names, got "inferencepools/],
  ])('KServe rejects crdsProvidedElsewhere %j', (value, message) => {
    expect(() => new KServe(Testing.chart(), 'KServe', { resolver, crdsProvidedElsewhere: value as any })).toThrow(message);
  });
});
