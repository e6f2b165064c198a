/**
 * The two verdicts on one case side by side: the server's (accepted, or refused naming field paths) and the
 * validator's (its findings of the rules the server itself enforces; its own advice — references, security,
 * pitfalls — is no refusal). They agree when both accept, or both refuse and every path the server names is a path
 * the validator names.
 *
 * Dev and test tooling: the library never imports this file.
 */
import { Finding, jsonPath } from '../../lib/validate/findings';
import { ServerVerdict } from './server-judge';
import type { Category } from './variants';

/** One judged case. */
export interface CaseResult {
  readonly id: string;
  readonly category: Category | 'dist';
  readonly description: string;
  readonly object: any;
  readonly server: ServerVerdict;
  /** The validator's refusals (findings the server would make). */
  readonly refusals: readonly Finding[];
}

/** How two verdicts compare. */
export type Agreement = 'both-accept' | 'both-refuse' | 'both-refuse, other path' | 'server-only' | 'validator-only';

export function agreement(c: CaseResult): Agreement {
  const refused = c.refusals.length > 0;
  if (c.server.accepted) return refused ? 'validator-only' : 'both-accept';
  if (!refused) return 'server-only';
  const ours = new Set(c.refusals.map(f => f.path));
  return c.server.paths.every(p => ours.has(jsonPath(p))) ? 'both-refuse' : 'both-refuse, other path';
}

/**
 * A difference the test knows and docs/validator.md lists (under "Known differences from a real API server", by id): the
 * cases it explains are reported, not failed. A listed difference that no case shows any more fails the test too,
 * so that list stays what the test finds.
 */
export interface KnownDifference {
  readonly id: string;
  /** One line: what differs and why. */
  readonly summary: string;
  readonly explains: (c: CaseResult, a: Agreement) => boolean;
}

export const KNOWN_DIFFERENCES: readonly KnownDifference[] = [];

/** The known difference that explains a disagreeing case, if any. */
export function knownDifference(c: CaseResult, a: Agreement): KnownDifference | undefined {
  return KNOWN_DIFFERENCES.find(k => k.explains(c, a));
}

/** The case as a file that replays it: a comment header with both verdicts, then the object as JSON (valid YAML). */
export function caseFile(c: CaseResult, a: Agreement): string {
  const lines = [
    `# differential case ${c.id} (${c.category}): ${c.description}`,
    `# agreement: ${a}`,
    `# server: ${c.server.accepted ? 'accepted' : `refused (HTTP ${c.server.status}) at ${c.server.paths.map(p => jsonPath(p) || '(object)').join(', ') || '(no path)'}: ${c.server.message.replace(/\s+/g, ' ').slice(0, 600)}`}`,
    `# validator: ${c.refusals.length === 0 ? 'accepted' : c.refusals.map(f => `${f.path || '(object)'}: ${f.message}`.replace(/\s+/g, ' ').slice(0, 300)).join(' | ')}`,
    '# replay: npm run test:differential -- --replay THIS_FILE   (or kubectl apply --server-side --dry-run=server -f THIS_FILE)',
  ];
  return `${lines.join('\n')}\n${JSON.stringify(c.object, null, 2)}\n`;
}
