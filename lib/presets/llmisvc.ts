/**
 * The agentgateway "KServe integration" guide, current version (LLMInferenceService, InferencePool, the llm-d
 * router's endpoint picker) as stack props: the only place that spells that guide's literal names and demo values.
 * `npm run synth -- --profile llmisvc` writes exactly the guide's objects from it (`__tests__/llmisvc-guide.test.ts`).
 * Source: agentgateway/website `assets/agw-docs/pages/integrations/kserve.md` (agentgateway v1.4.1, KServe v0.20.0).
 */
import { LlmRouting, MeteredLlmOptions } from '../app/metered-llm';
import { TokenBudgetUnit } from '../app/token-budget';
import type { LlmServingStackProps } from '../stack';

/** The guide's names and values. */
export const LLMISVC_GUIDE = {
  gatewayName: 'kserve-ingress-gateway',
  gatewayNamespace: 'kserve',
  modelName: 'mock-llm',
  modelNamespace: 'kserve-test',
  modelUri: 'hf://mock/mock-llm',
  /** llm-d's inference simulator: answers OpenAI requests without weights or GPUs; `--mode echo` returns the prompt. */
  image: 'ghcr.io/llm-d/llm-d-inference-sim:v0.9.0-rc3',
  command: '/app/llm-d-inference-sim',
  port: 8000,
  tokensPerMinute: 10,
} as const;

/** Options for {@link llmisvcPreset}. */
export interface LlmisvcPresetOptions {
  /**
   * `LlmRouting.METERED`: the guide's optional "Apply an AI policy" part (an AgentgatewayBackend wrapping the pool,
   * KServe's route overridden through it, 10 tokens per minute). `LlmRouting.POOL`: the guide's standard
   * InferencePool backend, no budget.
   * @default LlmRouting.METERED
   */
  readonly routing?: LlmRouting;
}

/** The guide's model: llm-d-inference-sim in echo mode as `mock-llm` in `kserve-test`. */
export function llmisvcModel(options: LlmisvcPresetOptions = {}): MeteredLlmOptions {
  const g = LLMISVC_GUIDE;
  const routing = options.routing ?? LlmRouting.METERED;
  return {
    llmInferenceService: {
      name: g.modelName,
      namespace: g.modelNamespace,
      model: { name: g.modelName, uri: g.modelUri },
      replicas: 1,
      storageInitializer: false,
      container: {
        image: g.image,
        command: [g.command],
        args: ['--model', g.modelName, '--port', String(g.port), '--mode', 'echo'],
        port: g.port,
        resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
      },
    },
    routing,
    ...(routing === LlmRouting.METERED ? { budget: { tokens: g.tokensPerMinute, unit: TokenBudgetUnit.MINUTES } } : {}),
  };
}

/**
 * The guide's whole stack: Gateway API, the Inference Extension CRDs, agentgateway with its inference extension,
 * cert-manager, KServe with its LLMInferenceServiceConfigs, the gateway KServe's llmisvc controller uses, and the model.
 */
export function llmisvcPreset(options: LlmisvcPresetOptions = {}): LlmServingStackProps {
  const g = LLMISVC_GUIDE;
  return {
    platform: {
      inferenceExtension: {},
      agentgateway: { inferenceExtension: true },
      kserve: { llmInferenceServiceConfigs: true },
    },
    // IngressGateway labels its infrastructure `serving.kserve.io/gateway: <name>` by default, as KServe's setups do.
    gateway: { name: g.gatewayName, namespace: g.gatewayNamespace },
    llms: [llmisvcModel(options)],
  };
}
