#!/usr/bin/env node
/** `node cli.js [project] [--format pretty|json|sarif|github] [--output-file f] [--graph f] [--baseline f] [--update-baseline] [--no-cache] [--cache-dir d] [--daemon]` */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { isReportFormat, ReportFormat } from '../../reporters/formats';
import type { RunOptions } from './run';

const EXIT_USAGE = 2;

const USAGE = `usage: check-layers [project-dir] [--format pretty|json|sarif|github] [--output-file FILE] [--graph FILE.mmd]
                    [--baseline FILE] [--update-baseline] [--no-cache] [--cache-dir DIR] [--no-color]
                    [--daemon] [--stop-daemon]
Checks the layered architecture of the Python project in project-dir (default: .). Exit 0 clean, 1 findings, 2 usage or config error.
--daemon keeps a check server for the project running between runs (not on CI unless LAYERED_DAEMON=1);
--stop-daemon stops it.`;

export async function main(argv: string[]): Promise<number> {
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
        daemon: { type: 'boolean', default: false },
        'stop-daemon': { type: 'boolean', default: false },
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
  const cacheDirectory = path.resolve(values['cache-dir'] ?? path.join(projectRoot, '.layered', 'cache'));
  const options: RunOptions = {
    projectRoot,
    format: values.format as ReportFormat,
    outputFile: values['output-file'] && path.resolve(values['output-file']),
    graph: values.graph && path.resolve(values.graph),
    baseline: values.baseline && path.resolve(values.baseline),
    updateBaseline: values['update-baseline'],
    cacheDirectory: values['no-cache'] ? null : cacheDirectory,
    color: Boolean(process.stdout.isTTY) && !values['no-color'] && !process.env.NO_COLOR,
    pathPrefix: relative === '' ? '' : `${relative}/`,
  };
  if (values['stop-daemon']) {
    const { stopServer } = await import('./server/client');
    const answered = await stopServer(projectRoot, cacheDirectory);
    const what = answered === null ? 'no check server was running' : `stopped the check server (${answered} ${answered === 1 ? 'check' : 'checks'} answered)`;
    process.stdout.write(`check-layers: ${what} for ${relative || '.'}\n`);
    return 0;
  }
  const { daemonWanted, checkThroughServer } = await import('./server/client');
  if (daemonWanted(values.daemon)) {
    const answered = await checkThroughServer(options);
    if (answered) return print(answered);
  }
  const { runCheckLayers } = await import('./run');
  return print(runCheckLayers(options));
}

function print(outcome: { exitCode: number; stdout: string; stderr: string }): number {
  process.stdout.write(outcome.stdout);
  process.stderr.write(outcome.stderr);
  return outcome.exitCode;
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
