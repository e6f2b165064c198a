/** Sets extension, enabled by Kubernetes: https://pkg.go.dev/github.com/google/cel-go/ext#Sets */
import { celFunc, type CelFunc, type CelList, type CelValue } from '@bufbuild/cel';
import { celEquals } from './operators';
import { BOOL, LIST } from './shared';

function listContains(list: CelList, item: CelValue): boolean {
  for (const candidate of list) if (celEquals(candidate, item) === true) return true;
  return false;
}

export const SETS_FUNCS: CelFunc[] = [
  celFunc('sets.contains', [LIST, LIST], BOOL, (a, b) => [...b].every(x => listContains(a, x))),
  celFunc('sets.equivalent', [LIST, LIST], BOOL, (a, b) => [...b].every(x => listContains(a, x)) && [...a].every(x => listContains(b, x))),
  celFunc('sets.intersects', [LIST, LIST], BOOL, (a, b) => [...b].some(x => listContains(a, x))),
];
