// The public API: constructs for the guide's objects, the charts that hold them, and the stack.
export * from './app/ai-backend';
export * from './app/ai-route';
export * from './app/http-route-ref';
export * from './app/inference-service';
export * from './app/ingress-chart';
export * from './app/ingress-gateway';
export * from './app/metered-model';
export * from './app/model-echo-headers';
export * from './app/models-chart';
export * from './app/namespace';
export * from './app/token-budget';
export * from './stack';
export * from './synthesizer';
export * from './upstream/artifacts';
export * from './upstream/resolver';
export * from './platform/upstream-manifest';
