/**
 * Evaluates the `x-kubernetes-validations` CEL rules of CRD structural schemas the way the API server does,
 * offline: a conformant CEL implementation (`@bufbuild/cel`) plus the Kubernetes CEL libraries registered as
 * custom functions.
 *
 * See https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#validation-rules
 * and https://kubernetes.io/docs/reference/using-api/cel/ (the list of libraries the API server adds).
 *
 * What differs from the API server, and why:
 * - `@bufbuild/cel` has no usable type checker yet (0.6.x checks constants and identifiers only), so
 *   `check()` parses and then resolves every identifier, function name and overload arity itself; type errors
 *   that the API server would catch at CRD creation surface here as runtime errors instead.
 * - No cost budget: the API server rejects rules whose estimated cost is too high; the pinned CRDs are already
 *   accepted by real clusters, so we only evaluate.
 * - Transition rules (`oldSelf`) need the previous object; offline we only see creates, so they are skipped,
 *   except `optionalOldSelf` rules, which the API server also runs on create (with `oldSelf` = `optional.none()`).
 */
import { isCelError, parse, plan, type CelInput, type CelResult } from '@bufbuild/cel';
import type { StructuralSchema, ValidationRule } from '../structural-schema';
import { kubernetesEnv } from './environment';
import { OPTIONAL_NONE } from './optional';
import { references, RULE_VARIABLES, unresolved, type Expr } from './static-check';
import { toCelValue, type CelValueMemo } from './values';

export { escapeFieldName, toCelValue } from './values';

/** The result of evaluating one rule against one value. */
export type RuleOutcome =
  | { status: 'pass' }
  | { status: 'fail'; message: string }
  | { status: 'skipped'; reason: string }
  | { status: 'error'; message: string };

// ---------------------------------------------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------------------------------------------

type Program = (bindings: Record<string, CelInput>) => CelResult;

type Compiled = { ok: true; run: Program; transition: boolean } | { ok: false; error: string };

/** apiserver's ruleErrorString: the message if there is one, else the rule on one line. */
function ruleErrorString(rule: ValidationRule): string {
  return rule.message?.trim() || rule.rule.replace(/\n/g, ' ').trim();
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/**
 * Compiles and evaluates CRD validation rules. Compiled programs are cached by rule text, so one instance
 * should serve a whole run (the ~1600 rules of the pinned CRDs are ~240 distinct texts).
 */
export class CelRules {
  private readonly env = kubernetesEnv();
  private readonly compiled = new Map<string, Compiled>();

  /** Why `rule` (a rule or a messageExpression) would not compile, or undefined if it would. */
  check(rule: string): string | undefined {
    const compiled = this.compile(rule);
    return compiled.ok ? undefined : compiled.error;
  }

  /** Evaluates `rule` with `self` bound to `value`, the JSON value (defaults applied) at `schema`. */
  evaluate(rule: ValidationRule, value: unknown, schema: StructuralSchema, memo?: CelValueMemo): RuleOutcome {
    const compiled = this.compile(rule.rule);
    if (!compiled.ok) return { status: 'error', message: `rule does not compile: ${compiled.error}: ${oneLine(rule.rule)}` };
    if (compiled.transition && !rule.optionalOldSelf) return { status: 'skipped', reason: 'transition rule (oldSelf) needs the previous object' };
    const bindings: Record<string, CelInput> = { self: toCelValue(value, schema, memo) };
    if (compiled.transition) bindings.oldSelf = OPTIONAL_NONE; // a create: there is no old object
    const result = compiled.run(bindings);
    if (isCelError(result)) return { status: 'error', message: this.runtimeError(rule, result.message) };
    if (typeof result !== 'boolean') return { status: 'error', message: this.runtimeError(rule, `rule evaluated to ${typeof result}, not bool`) };
    return result ? { status: 'pass' } : { status: 'fail', message: this.failureMessage(rule, bindings) };
  }

  private runtimeError(rule: ValidationRule, error: string): string {
    const ruleText = rule.message?.trim() ? ` (rule: ${oneLine(rule.rule)})` : '';
    return `${error} evaluating rule: ${ruleErrorString(rule)}${ruleText}`;
  }

  /** The API server's choice: a usable messageExpression result, else `message`, else `failed rule: <rule>`. */
  private failureMessage(rule: ValidationRule, bindings: Record<string, CelInput>): string {
    if (rule.messageExpression) {
      const compiled = this.compile(rule.messageExpression);
      const message = compiled.ok ? compiled.run(bindings) : undefined;
      // Errors, non-strings, blank or multi-line results fall back, as on the API server.
      if (typeof message === 'string' && message.trim() !== '' && !message.includes('\n')) return message;
    }
    return rule.message?.trim() || `failed rule: ${ruleErrorString(rule)}`;
  }

  private compile(text: string): Compiled {
    let compiled = this.compiled.get(text);
    if (!compiled) {
      compiled = this.compileUncached(text);
      this.compiled.set(text, compiled);
    }
    return compiled;
  }

  private compileUncached(text: string): Compiled {
    let expr: Expr;
    try {
      expr = parse(text).expr;
    } catch (e) {
      return { ok: false, error: `syntax error: ${(e as Error).message}` };
    }
    try {
      const problem = unresolved(expr, new Set(RULE_VARIABLES), this.env);
      if (problem) return { ok: false, error: problem };
      return { ok: true, run: plan(this.env, expr) as Program, transition: references(expr, 'oldSelf') };
    } catch (e) {
      return { ok: false, error: (e as Error).message };
    }
  }
}

let shared: CelRules | undefined;

/**
 * One CelRules per process: programs depend only on the rule text, so every Validator (synth's, the CLI's, a test's)
 * shares one environment and one compile cache instead of compiling the same ~240 rules again.
 */
export function sharedCelRules(): CelRules {
  return (shared ??= new CelRules());
}
