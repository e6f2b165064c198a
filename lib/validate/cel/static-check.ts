/** The static check that stands in for a type checker (`@bufbuild/cel` 0.6.x has no usable one). */
import type { CelEnv, parse } from '@bufbuild/cel';

export type Expr = ReturnType<typeof parse>['expr'];

/** Calls the planner evaluates itself rather than through the function registry. */
const PLANNER_OPERATORS = new Set(['_[_]', '_[?_]', '_?._', '_?_:_', '_&&_', '_||_', '@not_strictly_false', '__not_strictly_false__']);
/** Type names, usable as values (`type(x) == string`). */
const TYPE_IDENTIFIERS = new Set(['int', 'uint', 'double', 'bool', 'string', 'bytes', 'list', 'map', 'null_type', 'type']);
/** The variables of CRD validation rules; `oldSelf` only in transition rules. */
export const RULE_VARIABLES = ['self', 'oldSelf'];

/** The direct subexpressions of `expr`, each with the comprehension variables it adds to the scope. */
function children(expr: Expr): [Expr, string[]][] {
  const kind = expr.exprKind;
  const plain = (e: Expr | undefined): [Expr, string[]][] => (e ? [[e, []]] : []);
  switch (kind.case) {
    case 'selectExpr':
      return plain(kind.value.operand);
    case 'callExpr':
      return [...plain(kind.value.target), ...kind.value.args.flatMap(plain)];
    case 'listExpr':
      return kind.value.elements.flatMap(plain);
    case 'structExpr':
      return kind.value.entries.flatMap(e => [...(e.keyKind.case === 'mapKey' ? plain(e.keyKind.value) : []), ...plain(e.value)]);
    case 'comprehensionExpr': {
      const c = kind.value;
      const loopVars = [c.iterVar, c.iterVar2, c.accuVar].filter(Boolean);
      const scoped = (e: Expr | undefined, vars: string[]): [Expr, string[]][] => (e ? [[e, vars]] : []);
      const loop = [...scoped(c.loopCondition, loopVars), ...scoped(c.loopStep, loopVars)];
      return [...plain(c.iterRange), ...plain(c.accuInit), ...loop, ...scoped(c.result, [c.accuVar])];
    }
    default:
      return [];
  }
}

/** `a.b.c` as a name, when `expr` is a chain of selections on an identifier (`ip`, `format`, `sets`). */
function dottedName(expr: Expr): string | undefined {
  const kind = expr.exprKind;
  if (kind.case === 'identExpr') return kind.value.name;
  if (kind.case === 'selectExpr' && kind.value.operand && !kind.value.testOnly) {
    const operand = dottedName(kind.value.operand);
    return operand && `${operand}.${kind.value.field}`;
  }
  return undefined;
}

/**
 * The first name in `expr` that cannot resolve: an undeclared identifier, an unknown function, or a known
 * function called with a receiver/argument count none of its overloads has.
 */
export function unresolved(expr: Expr, scope: ReadonlySet<string>, env: CelEnv): string | undefined {
  const kind = expr.exprKind;
  if (kind.case === 'identExpr') {
    const { name } = kind.value;
    return scope.has(name) || TYPE_IDENTIFIERS.has(name) ? undefined : `undeclared reference to '${name}'`;
  }
  if (kind.case === 'structExpr' && kind.value.messageName) return `unknown type '${kind.value.messageName}'`;
  let parts = children(expr);
  if (kind.case === 'callExpr' && !PLANNER_OPERATORS.has(kind.value.function)) {
    const { function: name, target, args } = kind.value;
    // Like the planner: `ip.isCanonical(x)` is the global function `ip.isCanonical`, not a method on `ip`.
    const qualifier = target && dottedName(target);
    const qualified = qualifier !== undefined && !scope.has(qualifier.split('.')[0]) ? env.funcs.find(`${qualifier}.${name}`) : undefined;
    const overloads = [...(qualified ?? env.funcs.find(name) ?? [])];
    const isMethod = target !== undefined && !qualified;
    if (overloads.length === 0) return `undeclared reference to '${qualifier && !isMethod ? `${qualifier}.` : ''}${name}'`;
    if (!overloads.some(f => (f.target !== undefined) === isMethod && f.arguments.length === args.length)) {
      return `found no matching overload for '${name}' with ${args.length} argument(s)${isMethod ? ' on a receiver' : ''}`;
    }
    if (qualified) parts = args.map(a => [a, []]);
  }
  for (const [child, added] of parts) {
    const problem = unresolved(child, added.length ? new Set([...scope, ...added]) : scope, env);
    if (problem) return problem;
  }
  return undefined;
}

/** Whether `expr` reads variable `name` (not a comprehension variable that shadows it). */
export function references(expr: Expr, name: string): boolean {
  if (expr.exprKind.case === 'identExpr') return expr.exprKind.value.name === name;
  return children(expr).some(([child, added]) => !added.includes(name) && references(child, name));
}
