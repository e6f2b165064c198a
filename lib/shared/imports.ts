/**
 * The heavy modules the library needs only to build or render objects, each loaded on first use rather than when the
 * library is imported: the generated imports (`imports/*.ts`, 0.2 to 6 MB of JavaScript each) and the two YAML
 * libraries, and cdk8s-plus-28. Importing the library then costs little more than importing cdk8s and constructs (issue #20; `npm run
 * bench` prints the ratio), and an app pays only for the kinds it builds.
 *
 * Use: `import type * as gw from '../../imports/gateway'` at the top of a file (types cost nothing at run time), and
 * the loader where an object is made: `new (gatewayImport().Gateway)(this, 'Resource', {...})`.
 * `__tests__/import-cost.test.ts` pins that importing the library loads none of these.
 */
import type * as agentgatewayBackend from '../../imports/agentgatewaybackend';
import type * as agentgatewayPolicy from '../../imports/agentgatewaypolicy';
import type * as gateway from '../../imports/gateway';
import type * as httpRoute from '../../imports/httproute';
import type * as inferenceService from '../../imports/inferenceservice';
import type * as llmInferenceService from '../../imports/llminferenceservice';
import type * as cdk8sPlus from 'cdk8s-plus-28';

/** A loader that runs `load` once, on its first call, and returns the same module ever after. */
function memoized<T>(load: () => T): () => T {
  let module: T | undefined;
  return () => (module ??= load());
}

/** `imports/gateway`: Gateway API's Gateway (gateway.networking.k8s.io/v1). */
export const gatewayImport = memoized((): typeof gateway => require('../../imports/gateway'));

/** `imports/httproute`: Gateway API's HTTPRoute (gateway.networking.k8s.io/v1). */
export const httpRouteImport = memoized((): typeof httpRoute => require('../../imports/httproute'));

/** `imports/agentgatewaybackend`: agentgateway's AgentgatewayBackend (agentgateway.dev/v1alpha1). */
export const agentgatewayBackendImport = memoized((): typeof agentgatewayBackend => require('../../imports/agentgatewaybackend'));

/** `imports/agentgatewaypolicy`: agentgateway's AgentgatewayPolicy (agentgateway.dev/v1alpha1). */
export const agentgatewayPolicyImport = memoized((): typeof agentgatewayPolicy => require('../../imports/agentgatewaypolicy'));

/** `imports/inferenceservice`: KServe's InferenceService (serving.kserve.io/v1beta1), 5 MB. */
export const inferenceServiceImport = memoized((): typeof inferenceService => require('../../imports/inferenceservice'));

/** `imports/llminferenceservice`: KServe's LLMInferenceService (serving.kserve.io/v1alpha2), 6 MB. */
export const llmInferenceServiceImport = memoized((): typeof llmInferenceService => require('../../imports/llminferenceservice'));

/**
 * cdk8s-plus-28, which the library's own workloads are built with (rate-limit service, Redis, NetworkPolicies,
 * Namespaces): 30 ms of loading that an app pays only when it builds one.
 */
export const cdk8sPlusLibrary = memoized((): typeof cdk8sPlus => require('cdk8s-plus-28'));

/** The `yaml` package (YAML 1.1 parsing as kubectl reads it, envoyproxy/ratelimit's configuration file). */
export const yamlLibrary = memoized((): typeof import('yaml') => require('yaml'));

/** The `js-yaml` package (how the synthesizer writes objects). */
export const jsYamlLibrary = memoized((): typeof import('js-yaml') => require('js-yaml'));
