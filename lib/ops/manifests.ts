import * as fs from 'fs';
import * as path from 'path';
import { componentOfPhase } from '../upstream/components';
import { DocumentFacts, documentFacts, parseAsKubectl, splitDocuments } from '../shared/yaml-text';

/** One object of a phase: its facts, its text, and its parsed form on demand. */
export interface ManifestObject extends DocumentFacts {
  readonly text: string;
  /** Parses the document (only the few whose contents a step needs). */
  parse(): any;
}

/** One chart file of dist/: a phase of the apply order. */
export interface Phase {
  /** e.g. `0003-kserve`. */
  readonly name: string;
  /** Absolute path of the file. */
  readonly file: string;
  /** Its objects, in file order. */
  readonly objects: readonly ManifestObject[];
}

/** Whether a phase is a platform component's: shared by everything on the cluster, so destroy asks before removing it. */
export function isPlatformPhase(phase: string): boolean {
  return componentOfPhase(phase) !== undefined;
}

/** Reads dist/'s chart files (`NNNN-*.k8s.yaml`, in name order, which is apply order). */
export function readPhases(distPath: string): Phase[] {
  let names: string[];
  let dist: string;
  try {
    // One version of dist/ (a link a synth may swap meanwhile), resolved once so every file comes from it.
    dist = fs.realpathSync(distPath);
    names = fs.readdirSync(dist).filter(f => /^\d{4}-.*\.k8s\.yaml$/.test(f)).sort();
  } catch (e: any) {
    throw new Error(`cannot read ${distPath}: ${e.message}; run \`npm run synth\` first`);
  }
  if (names.length === 0) throw new Error(`${distPath} holds no NNNN-*.k8s.yaml files; run \`npm run synth\` first`);
  return names.map(f => {
    const file = path.join(dist, f);
    const objects = splitDocuments(fs.readFileSync(file, 'utf8')).map(text => {
      const facts = documentFacts(text);
      let parsed: any;
      return { ...facts, text, parse: () => (parsed ??= parseAsKubectl(text)) };
    }).filter(o => o.kind !== undefined);
    return { name: f.replace(/\.k8s\.yaml$/, ''), file, objects };
  });
}
