/**
 * `npm run test:differential`: the validator against the real API server. On a fresh local control plane with the
 * stack's CRDs and Namespaces installed, every object of every profile's dist/ and thousands of schema-derived
 * variants of them are judged by the server (what `kubectl apply --server-side --dry-run=server` sends) and by the
 * validator; the verdicts and the refused field paths are compared, the figures printed, and every disagreeing case
 * written as a file that replays it. Exit 0: agreement at or above 99.9% with every difference a known one (listed
 * in docs/validator.md); 1: not; 2: bad arguments or the control plane would not start.
 *
 * Dev and test tooling: the library never imports this file.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CommandDoc, helpText, parseCommand, runMain, wantsHelp } from '../../lib/cli/command';
import { Kubectl } from '../../lib/ops/kubectl';
import { jsonPath, serverWouldRefuse } from '../../lib/validate/findings';
import { sha256 } from '../../lib/validate/verdict';
import { Validator } from '../../lib/validate/validator';
import { buildKcp, REPO, startControlPlane, stopControlPlane } from '../cluster/control-plane';
import { distOf, PROFILE_FLAGS, removeSynthesized } from '../cluster/profiles';
import { Agreement, agreement, caseFile, CaseResult, KNOWN_DIFFERENCES, knownDifference } from './compare';
import { DistObject, distinctObjects, distObjects, schemasFor, streamOf } from './corpus';
import { ApiServer, ServerVerdict } from './server-judge';
import { CATEGORIES, generateVariants } from './variants';

export const DIFFERENTIAL: CommandDoc = {
  command: 'npm run test:differential --',
  summary: 'Judges every object of every profile\'s dist/ and schema-derived variants of them with a real API server (a fresh\n' +
    'local control plane) and with the validator; prints the agreement, field-path and speed figures and writes each\n' +
    'disagreeing case as a file that replays it.',
  flags: [
    { name: 'variants', value: 'N', default: '6000', description: 'how many variants to generate' },
    { name: 'seed', value: 'TEXT', default: 'differential-1', description: 'the generator\'s seed (same seed, same variants)' },
    { name: 'out', value: 'DIR', default: '.cache/differential', description: 'where disagreeing cases are written (emptied first)' },
    { name: 'replay', value: 'FILE', multiple: true, description: 'judge these case files (JSON or YAML, one object each) instead of generating' },
    { name: 'kubectl-sample', value: 'N', default: '120', description: 'cases also applied with kubectl itself, to check the direct judge' },
  ],
  env: [['UPSTREAM_MIRROR', 'a directory mirroring the pinned upstream files'], ['KCP_KEEP', '1 keeps the control plane\'s directory (logs) after the run']],
  exit: ['0  agreement >= 99.9% and every difference known', '1  below, or an unknown or stale difference', '2  bad arguments, or the control plane would not start'],
  examples: ['npm run test:differential', 'npm run test:differential -- --variants 500 --seed other', 'npm run test:differential -- --replay .cache/differential/Gateway.gateway~kserve~kserve-ingress-gateway~enum-1.yaml'],
};

const AGREEMENT_TARGET = 0.999;
const ms = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e6;

/** Runs `fn` over the items, `limit` at a time, keeping their order. */
async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  }));
  return out;
}

interface Judged { results: CaseResult[]; serverMs: number; validatorMs: number }

/** Both judges on a set of cases: the server over HTTP (4 in flight), the validator in one batch. */
async function judge(cases: { id: string; category: CaseResult['category']; description: string; object: any }[], server: ApiServer, validator: Validator): Promise<Judged> {
  let t = process.hrtime.bigint();
  const verdicts: ServerVerdict[] = await pool(cases, 4, c => server.dryRunApply(c.object));
  const serverMs = ms(t);
  const docs = cases.map(c => {
    const text = JSON.stringify(c.object, null, 2);
    return { file: c.id, line: 1, text, hash: sha256(text) };
  });
  t = process.hrtime.bigint();
  const { findings } = validator.validateDocuments(docs, docs.length);
  const validatorMs = ms(t);
  const byCase = new Map<string, typeof findings>();
  for (const f of findings) (byCase.get(f.file) ?? byCase.set(f.file, []).get(f.file)!).push(f);
  const results = cases.map((c, i) => ({ ...c, server: verdicts[i], refusals: (byCase.get(c.id) ?? []).filter(serverWouldRefuse) }));
  return { results, serverMs, validatorMs };
}

/** kubectl itself on a sample: the direct judge must give kubectl's verdict on every one. */
async function checkAgainstKubectl(results: readonly CaseResult[], sample: number, kubectl: Kubectl, dir: string): Promise<{ checked: number; mismatches: string[]; msPerObject: number }> {
  const step = Math.max(1, Math.floor(results.length / Math.max(1, sample)));
  const chosen = results.filter((_, i) => i % step === 0).slice(0, sample);
  const mismatches: string[] = [];
  const t = process.hrtime.bigint();
  for (const c of chosen) {
    const file = path.join(dir, 'kubectl-case.json');
    fs.writeFileSync(file, JSON.stringify(c.object));
    const r = await kubectl.run(['apply', '--server-side', '--dry-run=server', '-f', file], undefined, 60_000);
    if ((r.code === 0) !== c.server.accepted) mismatches.push(`${c.id}: kubectl ${r.code === 0 ? 'accepted' : `refused: ${r.stderr.trim()}`}; direct: ${c.server.accepted ? 'accepted' : `refused: ${c.server.message}`}`);
  }
  return { checked: chosen.length, mismatches, msPerObject: chosen.length ? ms(t) / chosen.length : 0 };
}

function pct(n: number, d: number): string {
  return d === 0 ? 'n/a' : `${((100 * n) / d).toFixed(2)}%`;
}

/** The figures, the disagreements by known difference, and the verdict. */
function report(all: readonly CaseResult[], out: string, write: (s: string) => void): boolean {
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  const tally = new Map<string, Map<Agreement, number>>();
  const known = new Map<string, number>();
  const unknown: string[] = [];
  let agree = 0;
  let refusedBoth = 0;
  let samePath = 0;
  let pathless = 0;
  const pathlessKinds = new Map<string, string>();
  for (const c of all) {
    const a = agreement(c);
    const row = tally.get(c.category) ?? tally.set(c.category, new Map()).get(c.category)!;
    row.set(a, (row.get(a) ?? 0) + 1);
    if (a === 'both-accept' || a.startsWith('both-refuse')) agree++;
    if (a.startsWith('both-refuse')) {
      refusedBoth++;
      if (c.server.paths.length === 0) {
        pathless++;
        pathlessKinds.set(c.server.message.replace(/"[^"]*"/g, '"…"').replace(/\d+/g, 'N').slice(-120), c.id);
      }
      else if (a === 'both-refuse') samePath++;
    }
    if (a === 'both-accept' || a === 'both-refuse') continue;
    fs.writeFileSync(path.join(out, `${c.id.replace(/[^A-Za-z0-9._~-]/g, '_')}.yaml`), caseFile(c, a));
    const k = knownDifference(c, a);
    if (k) known.set(k.id, (known.get(k.id) ?? 0) + 1);
    else unknown.push(`${c.id} (${a}): ${c.description}`);
  }
  write(`\n${'category'.padEnd(14)} ${'cases'.padStart(6)}  both accept  both refuse  other path  server only  validator only\n`);
  for (const category of ['dist', ...CATEGORIES]) {
    const row = tally.get(category);
    if (!row) continue;
    const n = [...row.values()].reduce((a, b) => a + b, 0);
    const g = (a: Agreement) => String(row.get(a) ?? 0).padStart(11);
    write(`${category.padEnd(14)} ${String(n).padStart(6)}  ${g('both-accept')}  ${g('both-refuse')} ${g('both-refuse, other path')}  ${g('server-only')}  ${g('validator-only').padStart(14)}\n`);
  }
  const verdictShare = agree / all.length;
  write(`\nverdict agreement (same accept/refuse): ${agree}/${all.length} = ${pct(agree, all.length)} (target >= ${(AGREEMENT_TARGET * 100).toFixed(1)}%)\n`);
  write(`field paths: of the ${refusedBoth} cases both refuse, the server names a path in ${refusedBoth - pathless}; the validator names every one of them in ${samePath} (${pct(samePath, refusedBoth - pathless)}); ${pathless} of the server's refusals name no path\n`);
  for (const [m, id] of pathlessKinds) write(`  a refusal without a path, e.g. ${id}: …${m}\n`);
  for (const k of KNOWN_DIFFERENCES) write(`known difference ${k.id}: ${known.get(k.id) ?? 0} cases — ${k.summary}\n`);
  const stale = KNOWN_DIFFERENCES.filter(k => !known.has(k.id)).map(k => k.id);
  for (const u of unknown.slice(0, 40)) write(`UNKNOWN DIFFERENCE ${u}\n`);
  if (unknown.length > 40) write(`... and ${unknown.length - 40} more (all in ${out})\n`);
  if (stale.length) write(`STALE: known differences no case shows any more (remove them here and in docs/validator.md): ${stale.join(', ')}\n`);
  fs.writeFileSync(path.join(out, 'summary.json'), JSON.stringify(all.filter(c => !['both-accept', 'both-refuse'].includes(agreement(c))).map(c => ({
    id: c.id, category: c.category, description: c.description, agreement: agreement(c), known: knownDifference(c, agreement(c))?.id,
    server: c.server.accepted ? 'accepted' : { paths: c.server.paths.map(p => jsonPath(p)), message: c.server.message.slice(0, 400) },
    validator: c.refusals.map(f => `${f.path}: ${f.message.slice(0, 200)}`),
  })), null, 1));
  write(`disagreeing cases written to ${out} (summary.json lists them)\n`);
  return verdictShare >= AGREEMENT_TARGET && unknown.length === 0 && stale.length === 0;
}

async function run(argv: readonly string[], write: (s: string) => void): Promise<number> {
  if (wantsHelp(argv)) {
    write(helpText(DIFFERENTIAL));
    return 0;
  }
  const parsed = parseCommand(DIFFERENTIAL, argv);
  const count = Number(parsed.flags.variants ?? 6000);
  const sample = Number(parsed.flags['kubectl-sample'] ?? 120);
  if (!Number.isInteger(count) || count < 0 || !Number.isInteger(sample) || sample < 0) throw new Error('--variants and --kubectl-sample take a whole number');
  const seed = String(parsed.flags.seed ?? 'differential-1');
  const out = path.resolve(String(parsed.flags.out ?? path.join(REPO, '.cache', 'differential')));
  const replay = parsed.lists.replay ?? [];

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kcp-differential-'));
  let server: ApiServer | undefined;
  try {
    let t = process.hrtime.bigint();
    buildKcp(line => write(`${line}\n`));
    const profiles = Object.keys(PROFILE_FLAGS);
    const dists = profiles.map(p => [p, distOf(p)] as const);
    write(`synthesized ${profiles.join(', ')} in ${ms(t).toFixed(0)} ms\n`);
    t = process.hrtime.bigint();
    const state = await startControlPlane({ dir, timeoutMs: 120_000 });
    write(`control plane up in ${ms(t).toFixed(0)} ms\n`);
    const kubectl = new Kubectl({ env: { KUBECONFIG: state.kubeconfig } });
    server = new ApiServer(state.server, path.join(dir, 'pki'));
    const objects: DistObject[] = dists.flatMap(([p, d]) => distObjects(p, d));
    const distinct = distinctObjects(objects);
    // The platform's CRDs and Namespaces, really applied: what the judged objects need to exist first.
    const install = await kubectl.run(['apply', '--server-side', '-f', '-'], streamOf(distinct, ['CustomResourceDefinition', 'Namespace']), 120_000);
    if (install.code !== 0) throw new Error(`installing the CRDs and Namespaces failed: ${install.stderr}`);
    const established = await kubectl.run(['wait', '--for=condition=Established', 'crd', '--all', '--timeout=120s'], undefined, 130_000);
    if (established.code !== 0) throw new Error(`the CRDs were not established: ${established.stderr}`);
    const validator = new Validator({ cacheVerdicts: false });

    let cases: { id: string; category: CaseResult['category']; description: string; object: any }[];
    if (replay.length > 0) {
      cases = replay.map(f => ({ id: path.basename(f), category: 'valid' as const, description: `replay of ${f}`, object: JSON.parse(fs.readFileSync(f, 'utf8').replace(/^#.*$/gm, '')) }));
    } else {
      const distCases = objects.map((o, i) => ({ id: `dist-${o.profile}-${i}`, category: 'dist' as const, description: `${o.profile}: ${path.basename(o.file)}: ${o.object.kind} ${o.object.metadata?.name}`, object: o.object }));
      t = process.hrtime.bigint();
      const variants = generateVariants(distinct, await schemasFor(distinct, server), count, seed);
      write(`${distCases.length} dist/ objects (${distinct.length} distinct), ${variants.length} variants (seed ${JSON.stringify(seed)}) in ${ms(t).toFixed(0)} ms\n`);
      cases = [...distCases, ...variants];
    }
    const judged = await judge(cases, server, validator);
    const check = await checkAgainstKubectl(judged.results, sample, kubectl, dir);
    // One at a time, the same objects: the server's own cost per object beside the validator's.
    const serial = judged.results.filter((_, i) => i % Math.max(1, Math.floor(judged.results.length / 500)) === 0).slice(0, 500);
    t = process.hrtime.bigint();
    for (const c of serial) await server.dryRunApply(c.object);
    const serialMs = ms(t) / Math.max(1, serial.length);
    const ok = report(judged.results, out, write);
    const n = judged.results.length;
    const per = judged.validatorMs / n;
    write(`\nspeed, per object (${n} objects; the validator in one run over all of them):\n`);
    write(`  validator                                          ${per.toFixed(3)} ms\n`);
    write(`  kubectl apply --server-side --dry-run=server       ${check.msPerObject.toFixed(3)} ms  (${(check.msPerObject / per).toFixed(0)}x the validator; ${check.checked} objects, one kubectl each)\n`);
    write(`  the same request over HTTP, one at a time          ${serialMs.toFixed(3)} ms  (${(serialMs / per).toFixed(1)}x; ${serial.length} objects, connection kept alive)\n`);
    write(`  the same request over HTTP, 4 in flight            ${(judged.serverMs / n).toFixed(3)} ms  (${(judged.serverMs / judged.validatorMs).toFixed(1)}x; wall time over all ${n})\n`);
    write(`the direct judge against kubectl itself: ${check.checked - check.mismatches.length}/${check.checked} same verdict\n`);
    for (const m of check.mismatches) write(`KUBECTL MISMATCH ${m}\n`);
    return ok && check.mismatches.length === 0 ? 0 : 1;
  } finally {
    server?.close();
    stopControlPlane(dir, { keep: process.env.KCP_KEEP === '1' });
    removeSynthesized();
  }
}

if (require.main === module) {
  runMain('test:differential', () => run(process.argv.slice(2), s => process.stdout.write(s)));
}
