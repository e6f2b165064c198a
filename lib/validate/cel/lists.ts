/** Kubernetes list library: https://kubernetes.io/docs/reference/using-api/cel/#kubernetes-list-library */
import { celMethod, type CelFunc, type CelList, type CelValue } from '@bufbuild/cel';
import { celAdd, celEquals, celLess } from './operators';
import { BOOL, DYN, INT, LIST } from './shared';

function extreme(list: CelList, pick: (candidate: CelValue, best: CelValue) => boolean, name: string): CelValue {
  if (list.size === 0) throw new Error(`${name} called on empty list`);
  let best = list.get(0) as CelValue;
  for (const item of list) if (pick(item, best)) best = item;
  return best;
}

function indexIn(list: CelList, item: CelValue, fromEnd: boolean): bigint {
  const indices = [...Array(list.size).keys()];
  for (const i of fromEnd ? indices.reverse() : indices) if (celEquals(list.get(i) as CelValue, item) === true) return BigInt(i);
  return -1n;
}

export const LIST_FUNCS: CelFunc[] = [
  celMethod('isSorted', LIST, [], BOOL, function () {
    const items = [...this];
    return items.every((item, i) => i === 0 || celLess(item, items[i - 1]) === false);
  }),
  // An empty list sums to int 0, as in Kubernetes; mixed element types fail like `+` does.
  celMethod('sum', LIST, [], DYN, function () {
    return [...this].reduce<CelValue>((total, item, i) => (i === 0 ? item : celAdd(total, item)), 0n);
  }),
  celMethod('min', LIST, [], DYN, function () {
    return extreme(this, (c, best) => celLess(c, best) === true, 'min');
  }),
  celMethod('max', LIST, [], DYN, function () {
    return extreme(this, (c, best) => celLess(best, c) === true, 'max');
  }),
  celMethod('indexOf', LIST, [DYN], INT, function (item) {
    return indexIn(this, item, false);
  }),
  celMethod('lastIndexOf', LIST, [DYN], INT, function (item) {
    return indexIn(this, item, true);
  }),
];
