/**
 * The agentgateway "KServe integration" guide (httpbun version) as stack props: the only place that spells the
 * guide's literal names and demo values. `npm run synth` writes exactly the guide's objects from it
 * (`__tests__/guide.test.ts`).
 */
import { ModelVisibility } from '../app/inference-service';
import { MeteredModelOptions } from '../app/metered-model';
import { TokenBudgetUnit } from '../app/token-budget';
import type { LlmServingStackProps } from '../stack';

/** The guide's names and values. */
export const GUIDE = {
  gatewayName: 'kserve-ingress-gateway',
  gatewayNamespace: 'kserve',
  modelName: 'mock-llm',
  modelNamespace: 'kserve-test',
  /** httpbun serves an OpenAI-compatible mock at `/llm/chat/completions`; it publishes only mutable tags. */
  image: 'sharat87/httpbun:latest',
  chatCompletionsPath: '/llm/chat/completions',
  budgetName: 'llm-token-budget',
  tokensPerMinute: 100,
  modelEchoHeadersName: 'model-echo-headers',
} as const;

/** Options for {@link guidePreset}. */
export interface GuidePresetOptions {
  /**
   * Add the guide's optional transformation policy `model-echo-headers` on the generated route `mock-llm`.
   * @default false
   */
  readonly modelEchoHeaders?: boolean;
  /**
   * Run httpbun on port 8080 (through its `HTTPBUN_BIND` setting) instead of the guide's 80, so that it can run as
   * a non-root user (the hardened profile needs that). KServe's predictor Service still listens on 80.
   * @default false
   */
  readonly unprivilegedPort?: boolean;
}

/** The guide's model: httpbun as `mock-llm` in `kserve-test`, 100 tokens per minute. */
export function guideModel(options: GuidePresetOptions = {}): MeteredModelOptions {
  return {
    inferenceService: {
      name: GUIDE.modelName,
      namespace: GUIDE.modelNamespace,
      image: GUIDE.image,
      containerPort: options.unprivilegedPort ? 8080 : 80,
      ...(options.unprivilegedPort ? { env: { HTTPBUN_BIND: '0.0.0.0:8080' } } : {}),
      resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
      visibility: ModelVisibility.EXTERNAL,
    },
    backend: { path: GUIDE.chatCompletionsPath },
    budget: { name: GUIDE.budgetName, tokens: GUIDE.tokensPerMinute, unit: TokenBudgetUnit.MINUTES },
    ...(options.modelEchoHeaders ? { modelEchoHeaders: { name: GUIDE.modelEchoHeadersName } } : {}),
  };
}

/** The guide's whole stack: the platform as the guide installs it, its gateway and its model. */
export function guidePreset(options: GuidePresetOptions = {}): LlmServingStackProps {
  return {
    gateway: { name: GUIDE.gatewayName, namespace: GUIDE.gatewayNamespace },
    models: [guideModel(options)],
  };
}
