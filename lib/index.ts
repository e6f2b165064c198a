/**
 * The public API: the constructs, the stack, its presets and profiles. Nothing here loads a CLI, the deploy tools
 * or the validator (the validator is its own entry point, `kserve-agentgateway-stack/validate`).
 *
 * @module kserve-agentgateway-stack
 */
export * from './app/ai-backend';
export * from './app/ai-route';
export * from './app/http-route-ref';
export * from './app/inference-service';
export * from './app/ingress-chart';
export * from './app/ingress-gateway';
export * from './app/metered-model';
export * from './app/llm-inference-service';
export * from './app/inference-pool-backend';
export * from './app/inference-pool-ref';
export * from './app/llm-workload-network-policy';
export * from './app/metered-llm';
export * from './app/model-echo-headers';
export * from './app/models-chart';
export * from './app/predictor-network-policy';
export * from './app/token-budget';
export * from './app/tenants';
export * from './app/tenant-budget';
export * from './app/api-keys-file';
export * from './shared/namespace';
export * from './platform/agentgateway';
export * from './platform/agentgateway-control-plane';
export * from './platform/cert-manager';
export * from './platform/gateway-api-crds';
export * from './platform/inference-extension-crds';
export * from './platform/kserve';
export * from './platform/rate-limit-config';
export * from './platform/rate-limit-service';
export * from './platform/rate-limit-redis';
export * from './platform/rate-limit-access';
export * from './platform/rate-limit-workload';
export * from './platform/upstream-manifest';
export * from './platform/upstream-object';
export * from './platform/platform-components';
export * from './stack';
export * from './presets/guide';
export * from './presets/hardened';
export * from './presets/tenants';
export * from './presets/llmisvc';
export * from './app-config';
export * from './synthesizer';
export * from './upstream/artifacts';
export * from './upstream/components';
export * from './upstream/resolver';
