import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { NoPythonError, resolvePythonCommand } from './resolve-python';
import type { PythonExecutorSchema } from './schema';

const FORWARDED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** `nx run <project>:<target>` for the Python tools: `python -m <module> <args> <args after -->`. */
export default async function pythonExecutor(options: PythonExecutorSchema, context: ExecutorContext): Promise<{ success: boolean }> {
  const projectName = context.projectName;
  const project = projectName ? context.projectsConfigurations?.projects[projectName] : undefined;
  if (!projectName || !project) throw new Error('layered:python must run as a target of a project (nx run <project>:<target>).');
  const projectRoot = path.resolve(context.root, project.root);
  const cwd = options.cwd ? path.resolve(context.root, options.cwd.replaceAll('{projectRoot}', project.root)) : projectRoot;

  let python;
  try {
    python = resolvePythonCommand({ module: options.module, projectName, projectRoot: project.root, workspaceRoot: context.root, env: process.env });
  } catch (error) {
    if (!(error instanceof NoPythonError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return { success: false };
  }

  const args = [...python.args, ...(options.args ?? []), ...(options.passThrough ?? [])];
  const code = await runForwardingSignals(python.command, args, cwd, withSourceOnPythonPath(projectRoot, process.env));
  return { success: code === 0 };
}

// LAYERED_PYTHON environments usually lack the project itself: its src/ folder makes it importable.
function withSourceOnPythonPath(projectRoot: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const source = path.join(projectRoot, 'src');
  if (!existsSync(source)) return { ...env };
  return { ...env, PYTHONPATH: env.PYTHONPATH ? `${source}${path.delimiter}${env.PYTHONPATH}` : source };
}

function runForwardingSignals(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: 'inherit' });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
    const done = () => FORWARDED_SIGNALS.forEach((signal) => process.off(signal, forward));
    child.on('error', (error) => {
      done();
      reject(new Error(`Could not start ${command}: ${error.message}`));
    });
    child.on('close', (code) => {
      done();
      resolve(code);
    });
  });
}
