// The objects of the agentgateway guide's current version (KServe LLMInferenceService behind agentgateway, with a
// token budget through an AI backend on the InferencePool KServe creates), written out as YAML for the validator's
// tests: `npm run synth -- --profile llmisvc` writes the same objects, plus the platform. Namespace `kserve` stands in
// for the platform, which creates it.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as jsyaml from 'js-yaml';

export const LLMISVC_GUIDE_YAML = `
apiVersion: v1
kind: Namespace
metadata: {name: kserve}
---
apiVersion: v1
kind: Namespace
metadata: {name: kserve-test}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: kserve-ingress-gateway, namespace: kserve}
spec:
  gatewayClassName: agentgateway
  listeners: [{name: http, protocol: HTTP, port: 80, allowedRoutes: {namespaces: {from: All}}}]
  infrastructure: {labels: {serving.kserve.io/gateway: kserve-ingress-gateway}}
---
apiVersion: serving.kserve.io/v1alpha2
kind: LLMInferenceService
metadata: {name: mock-llm, namespace: kserve-test}
spec:
  model: {name: mock-llm, uri: hf://mock/mock-llm}
  replicas: 1
  storageInitializer: {enabled: false}
  router:
    route:
      http:
        spec:
          parentRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: kserve-ingress-gateway, namespace: kserve}]
          rules:
          - backendRefs: [{group: agentgateway.dev, kind: AgentgatewayBackend, name: mock-llm-backend}]
            matches: [{path: {type: PathPrefix, value: /v1/chat/completions}}]
            timeouts: {backendRequest: 0s, request: 0s}
    scheduler: {}
  template:
    containers:
    - name: main
      image: ghcr.io/llm-d/llm-d-inference-sim:v0.9.0-rc3
      command: [/app/llm-d-inference-sim]
      args: [--model, mock-llm, --port, "8000", --mode, echo]
      ports: [{name: http, containerPort: 8000}]
      resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {cpu: 500m, memory: 256Mi}}
---
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayBackend
metadata: {name: mock-llm-backend, namespace: kserve-test}
spec:
  ai:
    provider:
      custom:
        backendRef: {group: inference.networking.k8s.io, kind: InferencePool, name: mock-llm-inference-pool}
        model: mock-llm
        formats: [{type: Completions, path: /v1/chat/completions}]
---
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayPolicy
metadata: {name: mock-llm-token-budget, namespace: kserve-test}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: mock-llm-kserve-route}]
  traffic: {rateLimit: {local: [{tokens: 10, unit: Minutes}]}}
`;

/** The guide's objects, parsed. */
export function llmisvcGuideObjects(): any[] {
  return jsyaml.loadAll(LLMISVC_GUIDE_YAML) as any[];
}

/**
 * The guide without the budget ("plain InferencePool routing"): KServe generates the route, to the pool directly;
 * no AI backend, no policy.
 */
export function plainRoutingObjects(): any[] {
  const objects = llmisvcGuideObjects().filter(o => o.kind !== 'AgentgatewayBackend' && o.kind !== 'AgentgatewayPolicy');
  objects.find(o => o.kind === 'LLMInferenceService').spec.router = { route: {}, scheduler: {} };
  return objects;
}

/** Writes objects to a fresh directory as one YAML file; returns the directory. */
export function writeObjects(objects: readonly any[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmisvc-'));
  fs.writeFileSync(path.join(dir, 'stack.yaml'), objects.map(o => jsyaml.dump(o)).join('---\n'));
  return dir;
}
