/**
 * CEL operators, borrowed from the library so list/set functions compare exactly like `==` and `<` do
 * (heterogeneous numbers, durations, timestamps, messages).
 */
import { celEnv, isCelError, parse, plan, type CelResult, type CelValue } from '@bufbuild/cel';
import { OPAQUE_TYPES } from './opaque-types';

const BASE_ENV = celEnv({ registry: OPAQUE_TYPES });

function binaryOperator(expression: string): (x: CelValue, y: CelValue) => CelValue {
  const program = plan(BASE_ENV, parse(expression));
  return (x, y) => {
    const result = program({ x, y });
    if (isCelError(result)) throw result;
    return result;
  };
}

export const celEquals = binaryOperator('x == y');
export const celLess = binaryOperator('x < y');
export const celAdd = binaryOperator('x + y');

function unaryConversion(expression: string): (x: string) => CelResult {
  const program = plan(BASE_ENV, parse(expression));
  return x => program({ x });
}

export const toDuration = unaryConversion('duration(x)');
export const toTimestamp = unaryConversion('timestamp(x)');
