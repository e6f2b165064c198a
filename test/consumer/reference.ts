/**
 * The reference side of the consumer test: synthesizes the consumer project's charts (test/consumer/project/) inside
 * this repo, from the TypeScript sources, through this project's own renderer, and writes one YAML file per chart
 * into the directory given.
 *
 * Usage: tsx test/consumer/reference.ts <outdir>
 */
import * as fs from 'fs';
import * as path from 'path';

const repo = path.resolve(__dirname, '..', '..');
const outdir = process.argv[2];
if (!outdir) {
  process.stderr.write('usage: tsx test/consumer/reference.ts <outdir>\n');
  process.exit(2);
}

// The charts import the package by name, as the consumer does; here that name means this repo's sources.
const PACKAGE = 'kserve-agentgateway-stack';
const SUBPATHS: Record<string, string> = {
  [PACKAGE]: path.join(repo, 'lib', 'index.ts'),
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Module = require('module');
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request: string, ...rest: unknown[]) {
  return resolveFilename.call(this, SUBPATHS[request] ?? request, ...rest);
};

/* eslint-disable @typescript-eslint/no-require-imports */
const { App } = require('cdk8s') as typeof import('cdk8s');
const { renderApp } = require('../../lib/synthesizer') as typeof import('../../lib/synthesizer');
const { addCharts } = require('./project/charts') as { addCharts(app: import('cdk8s').App): void };
/* eslint-enable @typescript-eslint/no-require-imports */

try {
  const app = new App({ outdir });
  addCharts(app);
  const files = renderApp(app);
  fs.mkdirSync(outdir, { recursive: true });
  for (const f of files) fs.writeFileSync(path.join(outdir, f.name), f.content);
  process.stdout.write(`${files.length} files, ${files.reduce((n, f) => n + f.objects.length, 0)} objects\n`);
} catch (err) {
  process.stderr.write(`reference synth failed: ${(err as Error).message}\n`);
  process.exit(1);
}
