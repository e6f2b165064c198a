/**
 * Findings about objects together rather than one at a time: duplicates, references between objects (with what
 * controllers create at runtime), references to what KServe creates for LLMInferenceServices, security,
 * agentgateway pitfalls and tenant budgets.
 */
import * as path from 'path';
import { objectKey } from '../shared/object-identity';
import { Finding } from './findings';
import { findingKey, llmisvcIssues, llmisvcMessage } from './llmisvc';
import { ObjectIndex } from './object-index';
import { pitfallIssues, pitfallMessage } from './pitfalls';
import { checkReferences, KnownObject, reportedAt, runtimeObjects } from './references';
import { securityIssues, securityMessage } from './security';
import { tenantBudgetFindings } from './tenant-budgets';

/** Every cross-object finding among `known`; `isNamespaced` says whether a kind is namespaced, when it is known. */
export function crossObjectFindings(known: readonly KnownObject[], isNamespaced: (o: KnownObject) => boolean | undefined): Finding[] {
  const findings: Finding[] = [...duplicates(known.filter(o => !o.existing))];
  // Objects that already exist in the cluster come first, so an input object of the same identity (an update) wins.
  const ordered = [...known.filter(o => o.existing), ...known.filter(o => !o.existing)];
  const everything = [...ordered, ...runtimeObjects(ordered)];
  // One index of every object, shared by the checks, so each is linear in the input.
  const index = new ObjectIndex(everything);
  const at = (o: KnownObject) => ({ file: o.file, line: o.line, kind: o.kind, namespace: o.namespace, name: o.name });
  // A reference to what KServe will not create for an LLMInferenceService is told precisely (LLM001-LLM003), once.
  const explained = new Set<string>();
  for (const issue of guarded(() => llmisvcIssues(everything, index, reportedAt), findings, 'LLMInferenceService')) {
    explained.add(findingKey(issue.at, issue.path));
    findings.push({ ...at(issue.at), path: issue.path, message: llmisvcMessage(issue), severity: 'error', rule: issue.rule.id });
  }
  for (const issue of guarded(() => checkReferences(everything, isNamespaced, index), findings, 'reference')) {
    if (explained.has(findingKey(issue.at, issue.path))) continue;
    findings.push({ ...at(issue.at), path: issue.path, message: issue.message, severity: 'error', rule: 'reference' });
  }
  for (const issue of guarded(() => securityIssues(everything, index), findings, 'security')) {
    findings.push({ ...at(issue.at), path: issue.path, message: securityMessage(issue), severity: 'warning', rule: issue.rule.id });
  }
  for (const issue of guarded(() => pitfallIssues(everything, index), findings, 'agentgateway')) {
    findings.push({ ...at(issue.at), path: issue.path, message: pitfallMessage(issue), severity: 'warning', rule: issue.rule.id });
  }
  findings.push(...guarded(() => tenantBudgetFindings(everything), findings, 'tenant budget'));
  // What exists already is not judged: findings about it (or what KServe derives from it) are left out.
  const existingFiles = new Set(known.filter(o => o.existing).map(o => o.file));
  return existingFiles.size === 0 ? findings : findings.filter(f => !existingFiles.has(f.file));
}

// Cross-object checks also read objects the schema rejected; if one trips them, say so instead of failing the run.
function guarded<T>(check: () => T[], findings: Finding[], what: string): T[] {
  try {
    return check();
  } catch (e: any) {
    findings.push({ file: '(input)', path: '', severity: 'error', rule: 'internal', message: `internal error in the ${what} checks: ${e?.message ?? e}; fix the schema errors above and run again` });
    return [];
  }
}

function duplicates(objects: readonly KnownObject[]): Finding[] {
  const seen = new Map<string, KnownObject>();
  const out: Finding[] = [];
  for (const o of objects) {
    const key = objectKey(o);
    const first = seen.get(key);
    if (first) {
      out.push({
        file: o.file, line: o.line, kind: o.kind, namespace: o.namespace, name: o.name, path: '', severity: 'error', rule: 'duplicate',
        message: `duplicate object: ${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name} is also defined at ${path.relative(process.cwd(), first.file) || first.file}:${first.line}`,
      });
    } else {
      seen.set(key, o);
    }
  }
  return out;
}
