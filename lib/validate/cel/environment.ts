/**
 * The environment: every Kubernetes CEL library, as the API server's CRD validation environment offers them.
 * https://kubernetes.io/docs/reference/using-api/cel/
 */
import { celEnv, type CelEnv, type CelFunc } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { FORMAT_FUNCS } from './format';
import { CIDR_FUNCS, IP_FUNCS } from './ip';
import { LIST_FUNCS } from './lists';
import { OPAQUE_TYPES } from './opaque-types';
import { OPTIONAL_FUNCS } from './optional';
import { QUANTITY_FUNCS } from './quantity';
import { compileRe2, REGEX_FUNCS } from './regex';
import { SETS_FUNCS } from './sets';
import { URL_FUNCS } from './url';

/** Every function the API server's CRD validation environment offers (that we implement). */
const KUBERNETES_CEL_FUNCS: readonly CelFunc[] = [
  ...strings, // cel-go's extended strings library: https://pkg.go.dev/github.com/google/cel-go/ext#Strings
  ...LIST_FUNCS,
  ...SETS_FUNCS,
  ...REGEX_FUNCS,
  ...URL_FUNCS,
  ...QUANTITY_FUNCS,
  ...IP_FUNCS,
  ...CIDR_FUNCS,
  ...FORMAT_FUNCS,
  ...OPTIONAL_FUNCS,
];

export function kubernetesEnv(): CelEnv {
  return celEnv({ registry: OPAQUE_TYPES, funcs: [...KUBERNETES_CEL_FUNCS], re2: { compile: compileRe2 } });
}
