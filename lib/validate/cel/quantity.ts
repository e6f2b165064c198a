/**
 * Quantity library: exact decimal arithmetic on bigints, following resource.ParseQuantity (apimachinery
 * pkg/api/resource/quantity.go): values finer than 1n round up, binary-SI values cap at 2^63-1.
 * https://kubernetes.io/docs/reference/using-api/cel/#kubernetes-quantity-library
 */
import { celFunc, celMethod, type CelFunc } from '@bufbuild/cel';
import type { ReflectMessage } from '@bufbuild/protobuf/reflect';
import { fieldsOf, opaque, QUANTITY_DESC, QUANTITY_T } from './opaque-types';
import { BOOL, DOUBLE, INT, STRING } from './shared';

/** value = unscaled × 10^-scale */
interface Decimal {
  unscaled: bigint;
  scale: number;
}

const QUANTITY_GRAMMAR = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;
const BINARY_SHIFT: Record<string, bigint> = { Ki: 10n, Mi: 20n, Gi: 30n, Ti: 40n, Pi: 50n, Ei: 60n };
const DECIMAL_EXPONENT: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const MAX_INT64 = 2n ** 63n - 1n;
const MIN_INT64 = -(2n ** 63n);
const MAX_EXPONENT = 1000; // far beyond any real quantity; keeps 10n ** scale cheap

function normalize(d: Decimal): Decimal {
  let { unscaled, scale } = d;
  if (unscaled === 0n) return { unscaled, scale: 0 };
  while (unscaled % 10n === 0n) [unscaled, scale] = [unscaled / 10n, scale - 1];
  return { unscaled, scale };
}

function aligned(a: Decimal, b: Decimal): [bigint, bigint, number] {
  const scale = Math.max(a.scale, b.scale);
  return [a.unscaled * 10n ** BigInt(scale - a.scale), b.unscaled * 10n ** BigInt(scale - b.scale), scale];
}

function compareDecimal(a: Decimal, b: Decimal): number {
  const [x, y] = aligned(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function parseQuantity(text: string): Decimal {
  const match = QUANTITY_GRAMMAR.exec(text);
  if (!match) throw new Error(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`);
  const [, sign, number, suffix = ''] = match;
  const [whole, fraction = ''] = number.split('.');
  let unscaled = BigInt(`${whole}${fraction}` || '0');
  let scale = fraction.length;
  if (suffix in BINARY_SHIFT) unscaled <<= BINARY_SHIFT[suffix];
  else scale -= suffix in DECIMAL_EXPONENT ? DECIMAL_EXPONENT[suffix] : Number(suffix.slice(1));
  if (Math.abs(scale) > MAX_EXPONENT) throw new Error(`quantity ${JSON.stringify(text)} is out of range`);
  if (scale > 9) {
    // "if you want some resources, you should get some resources": round the magnitude up to 1n
    const divisor = 10n ** BigInt(scale - 9);
    unscaled = (unscaled + divisor - 1n) / divisor;
    scale = 9;
  }
  if (suffix in BINARY_SHIFT && compareDecimal({ unscaled, scale }, { unscaled: MAX_INT64, scale: 0 }) > 0) [unscaled, scale] = [MAX_INT64, 0];
  return normalize({ unscaled: sign === '-' ? -unscaled : unscaled, scale });
}

function quantity(d: Decimal): ReflectMessage {
  const n = normalize(d);
  return opaque(QUANTITY_DESC, { unscaled: n.unscaled.toString(), scale: n.scale });
}

function decimalOf(value: ReflectMessage): Decimal {
  const { unscaled, scale } = fieldsOf<{ unscaled: string; scale: number }>(value);
  return { unscaled: BigInt(unscaled), scale };
}

function asInt64(d: Decimal): bigint | undefined {
  if (d.scale > 0) return undefined; // normalised, so a positive scale means a fraction
  const value = d.unscaled * 10n ** BigInt(-d.scale);
  return value >= MIN_INT64 && value <= MAX_INT64 ? value : undefined;
}

function addDecimal(a: Decimal, b: Decimal, sign: 1n | -1n): ReflectMessage {
  const [x, y, scale] = aligned(a, b);
  return quantity({ unscaled: x + sign * y, scale });
}

export const QUANTITY_FUNCS: CelFunc[] = [
  celFunc('quantity', [STRING], QUANTITY_T, text => quantity(parseQuantity(text))),
  celFunc('isQuantity', [STRING], BOOL, text => {
    try {
      parseQuantity(text);
      return true;
    } catch {
      return false;
    }
  }),
  celMethod('isLessThan', QUANTITY_T, [QUANTITY_T], BOOL, function (other) {
    return compareDecimal(decimalOf(this), decimalOf(other)) < 0;
  }),
  celMethod('isGreaterThan', QUANTITY_T, [QUANTITY_T], BOOL, function (other) {
    return compareDecimal(decimalOf(this), decimalOf(other)) > 0;
  }),
  celMethod('compareTo', QUANTITY_T, [QUANTITY_T], INT, function (other) {
    return BigInt(compareDecimal(decimalOf(this), decimalOf(other)));
  }),
  celMethod('add', QUANTITY_T, [QUANTITY_T], QUANTITY_T, function (other) {
    return addDecimal(decimalOf(this), decimalOf(other), 1n);
  }),
  celMethod('add', QUANTITY_T, [INT], QUANTITY_T, function (other) {
    return addDecimal(decimalOf(this), { unscaled: other, scale: 0 }, 1n);
  }),
  celMethod('sub', QUANTITY_T, [QUANTITY_T], QUANTITY_T, function (other) {
    return addDecimal(decimalOf(this), decimalOf(other), -1n);
  }),
  celMethod('sub', QUANTITY_T, [INT], QUANTITY_T, function (other) {
    return addDecimal(decimalOf(this), { unscaled: other, scale: 0 }, -1n);
  }),
  celMethod('asInteger', QUANTITY_T, [], INT, function () {
    const value = asInt64(decimalOf(this));
    if (value === undefined) throw new Error('cannot convert value to integer');
    return value;
  }),
  celMethod('isInteger', QUANTITY_T, [], BOOL, function () {
    return asInt64(decimalOf(this)) !== undefined;
  }),
  celMethod('asApproximateFloat', QUANTITY_T, [], DOUBLE, function () {
    const { unscaled, scale } = decimalOf(this);
    return Number(`${unscaled}e${-scale}`);
  }),
  celMethod('sign', QUANTITY_T, [], INT, function () {
    const { unscaled } = decimalOf(this);
    return unscaled > 0n ? 1n : unscaled < 0n ? -1n : 0n;
  }),
];
