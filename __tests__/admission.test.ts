// Which objects of a phase must wait for a webhook of the same phase (lib/ops/admission.ts).
import { conversionWebhooksOf, customPlurals, webhooksAdmitting, webhooksOf } from '../lib/ops/admission';
import { readPhases } from '../lib/ops/manifests';
import { guardObjects, writeSmallStack } from './small-stack';
import { TEST_DIST as dist } from './global-setup';

describe('admission', () => {
  const objects = readPhases(dist).flatMap(p => p.objects);

  test('reads each custom kind\'s resource name from its CRD without parsing the schema', () => {
    const plurals = customPlurals(objects);
    expect(plurals.get('serving.kserve.io/ClusterStorageContainer')).toBe('clusterstoragecontainers');
    expect(plurals.get('cert-manager.io/Issuer')).toBe('issuers');
    expect(plurals.get('gateway.networking.k8s.io/HTTPRoute')).toBe('httproutes');
  });

  test('finds the webhooks that call a Service, with the Service; KServe\'s inferenceservice validator among them', () => {
    const hooks = webhooksOf(objects);
    expect(hooks.find(h => h.name === 'inferenceservice.kserve-webhook-server.validator')?.service).toEqual({ namespace: 'kserve', name: 'kserve-webhook-server-service' });
    expect(hooks.find(h => h.name === 'webhook.cert-manager.io')?.service).toEqual({ namespace: 'cert-manager', name: 'cert-manager-webhook' });
  });

  test('an InferenceService goes through KServe\'s webhooks, cert-manager\'s Issuer through cert-manager\'s; KServe\'s ClusterStorageContainer through none', () => {
    const hooks = webhooksOf(objects);
    const plurals = customPlurals(objects);
    const of = (kind: string) => webhooksAdmitting(objects.find(o => o.kind === kind)!, hooks, plurals).map(h => h.service.name);
    expect(new Set(of('InferenceService'))).toEqual(new Set(['kserve-webhook-server-service']));
    expect(new Set(of('Issuer'))).toEqual(new Set(['cert-manager-webhook']));
    expect(of('ClusterStorageContainer')).toEqual([]);
    expect(of('Deployment')).toEqual([]);
  });

  test('finds the CRDs whose versions a webhook converts, without parsing the schema: KServe\'s LLMInferenceService and its config', () => {
    const hooks = conversionWebhooksOf(objects);
    expect(hooks.map(h => [h.name, h.kind, h.service.namespace, h.service.name])).toEqual([
      ['conversion of llminferenceserviceconfigs.serving.kserve.io', 'conversion', 'kserve', 'llmisvc-webhook-server-service'],
      ['conversion of llminferenceservices.serving.kserve.io', 'conversion', 'kserve', 'llmisvc-webhook-server-service'],
    ]);
  });

  test('a CRD\'s conversion webhook gates its custom resources, whatever the operation, and nothing else', () => {
    const hooks = conversionWebhooksOf(objects);
    const plurals = customPlurals(objects);
    const object = (apiVersion: string, kind: string) => ({ apiVersion, kind, text: '', parse: () => ({}) });
    expect(webhooksAdmitting(object('serving.kserve.io/v1alpha2', 'LLMInferenceService'), hooks, plurals).map(h => h.name)).toEqual(['conversion of llminferenceservices.serving.kserve.io']);
    expect(webhooksAdmitting(object('serving.kserve.io/v1alpha1', 'LLMInferenceServiceConfig'), hooks, plurals).map(h => h.name)).toEqual(['conversion of llminferenceserviceconfigs.serving.kserve.io']);
    expect(webhooksAdmitting(object('serving.kserve.io/v1beta1', 'InferenceService'), hooks, plurals)).toEqual([]);
  });

  test('a webhook with failurePolicy Ignore never refuses, so nothing waits for it', () => {
    const dir = writeSmallStack(guardObjects('Ignore'));
    expect(webhooksOf(readPhases(dir)[0].objects)).toEqual([]);
  });
});
