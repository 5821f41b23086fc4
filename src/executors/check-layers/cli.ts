#!/usr/bin/env node
/** `node cli.js [project] [--format pretty|json|sarif|github] [--output-file f] [--graph f] [--baseline f] [--update-baseline] [--no-cache] [--cache-dir d]` */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { isReportFormat } from '../../reporters';
import { EXIT_USAGE, runCheckLayers } from './run';

const USAGE = `usage: check-layers [project-dir] [--format pretty|json|sarif|github] [--output-file FILE] [--graph FILE.mmd]
                    [--baseline FILE] [--update-baseline] [--no-cache] [--cache-dir DIR] [--no-color]
Checks the layered architecture of the Python project in project-dir (default: .). Exit 0 clean, 1 findings, 2 usage or config error.`;

export function main(argv: string[]): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        format: { type: 'string', default: 'pretty' },
        'output-file': { type: 'string' },
        graph: { type: 'string' },
        baseline: { type: 'string' },
        'update-baseline': { type: 'boolean', default: false },
        'no-cache': { type: 'boolean', default: false },
        'cache-dir': { type: 'string' },
        'no-color': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    process.stderr.write(`check-layers: ${(error as Error).message}\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length > 1 || !isReportFormat(values.format ?? '')) {
    process.stderr.write(`check-layers: ${positionals.length > 1 ? 'give at most one project folder' : `unknown --format "${values.format}"`}\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  const projectRoot = path.resolve(positionals[0] ?? '.');
  const relative = path.relative(process.cwd(), projectRoot).split(path.sep).join('/');
  const outcome = runCheckLayers({
    projectRoot,
    format: values.format as 'pretty',
    outputFile: values['output-file'] && path.resolve(values['output-file']),
    graph: values.graph && path.resolve(values.graph),
    baseline: values.baseline && path.resolve(values.baseline),
    updateBaseline: values['update-baseline'],
    cacheDirectory: values['no-cache'] ? null : path.resolve(values['cache-dir'] ?? path.join(projectRoot, '.layered', 'cache')),
    color: Boolean(process.stdout.isTTY) && !values['no-color'] && !process.env.NO_COLOR,
    pathPrefix: relative === '' ? '' : `${relative}/`,
  });
  process.stdout.write(outcome.stdout);
  process.stderr.write(outcome.stderr);
  return outcome.exitCode;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
