import { Construct } from 'constructs';
import { hardenedProfile, LlmServingStack, MeteredModelOptions } from 'kserve-agentgateway-stack';

const DIGEST = 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

/** A user's model: its own image, a port a non-root server can bind, limits, a budget. */
function model(name: string, tokens: number): MeteredModelOptions {
  return {
    inferenceService: {
      name,
      namespace: 'assistants',
      image: `registry.example.com/llm/${name}:2.4.0`,
      containerPort: 8080,
      resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } },
    },
    budget: { tokens },
  };
}

/**
 * The whole stack (Gateway API, agentgateway, cert-manager, KServe, its gateway) with three models, through the
 * hardened profile, which must keep all three.
 */
export function addWholeStack(scope: Construct): LlmServingStack {
  return new LlmServingStack(scope, 'stack', hardenedProfile({
    models: [model('assistant', 10000), model('coder', 20000), model('reviewer', 5000)],
  }, { modelImageDigest: DIGEST }));
}
