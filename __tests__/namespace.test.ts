import { ApiObject, App, Chart, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Namespace } from '../lib';
import { chart, objectsOf } from './helpers';

describe('Namespace', () => {
  test('is written as `kubectl create namespace` writes it: no spec, even though cdk8s-plus adds an empty one', () => {
    const c = chart();
    new Namespace(c, 'Ns', { name: 'kserve-test' });
    expect(objectsOf(c)).toEqual([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kserve-test' } }]);
  });

  test('carries its labels, and no namespace of its own in a namespaced chart', () => {
    const c = new Chart(new App(), 'Apps', { namespace: 'apps' });
    new Namespace(c, 'Ns', { name: 'team-a', labels: { team: 'a' } });
    expect(objectsOf(c)).toEqual([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', labels: { team: 'a' } } }]);
  });

  test('exposes the cdk8s-plus Namespace and the object for JSON patches', () => {
    const c = chart();
    const ns = new Namespace(c, 'Ns', { name: 'team-a' });
    expect(ns.namespaceObject).toBeInstanceOf(kplus.Namespace);
    expect(ns.namespaceObject.name).toBe('team-a');
    expect(ApiObject.of(ns)).toBe(ns.apiObject);
    ApiObject.of(ns).addJsonPatch(JsonPatch.add('/metadata/annotations', { owner: 'ml' }));
    expect(objectsOf(c)[0].metadata).toEqual({ name: 'team-a', annotations: { owner: 'ml' } });
  });
});
