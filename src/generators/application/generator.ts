import * as path from 'node:path';
import {
  addProjectConfiguration,
  formatFiles,
  GeneratorCallback,
  generateFiles,
  getProjects,
  joinPathFragments,
  normalizePath,
  ProjectConfiguration,
  TargetConfiguration,
  Tree,
} from '@nx/devkit';
import { initGenerator } from '../init/generator';
import { setUpPythonEnvironment } from './python-environment';
import { DEFAULT_RUFF_SETTINGS, formatChangedPythonFiles } from '../../python/format';
import { invalidPythonPackageReason, toSnakeCase } from '../../python/names';
import type { ApplicationGeneratorSchema } from './schema';

export interface NormalizedApplicationSchema {
  projectName: string;
  projectRoot: string;
  packageName: string;
  envPrefix: string;
  title: string;
  tags: string[];
  skipFormat: boolean;
  skipInstall: boolean;
}

const TEMPLATES = path.join(__dirname, '..', '..', '..', 'files', 'application');
const PROJECT_NAME = /^[a-zA-Z][a-zA-Z0-9_-]*$/;

export async function applicationGenerator(tree: Tree, schema: ApplicationGeneratorSchema): Promise<GeneratorCallback> {
  const options = normalizeOptions(schema);
  assertProjectIsNew(tree, options);
  await initGenerator(tree, { skipFormat: true });
  addFiles(tree, options);
  addProject(tree, options);
  // Python is always formatted: generated .py files must equal `ruff format` output.
  formatChangedPythonFiles(tree, options.projectRoot, { ...DEFAULT_RUFF_SETTINGS });
  if (!options.skipFormat) await formatFiles(tree);
  return () => setUpPythonEnvironment(path.join(tree.root, options.projectRoot), options, process.env);
}

export function normalizeOptions(schema: ApplicationGeneratorSchema): NormalizedApplicationSchema {
  const projectName = (schema.name ?? '').trim();
  if (projectName === '') {
    throw new Error('The project name is empty. Pass one as the first argument, e.g. `nx g layered:application api`.');
  }
  if (!PROJECT_NAME.test(projectName)) {
    throw new Error(
      `"${projectName}" is not a valid project name: it must start with a letter and hold only letters, digits, "-" and "_" (e.g. "api" or "billing-api"). Choose such a name; use --directory to choose the folder.`,
    );
  }
  const packageName = schema.packageName ?? toSnakeCase(projectName);
  const packageProblem = invalidPythonPackageReason(packageName);
  if (packageProblem) {
    const origin = schema.packageName ? 'given by --packageName' : `derived from the project name "${projectName}"`;
    throw new Error(
      `The Python package name "${packageName}" (${origin}) cannot be used: ${packageProblem}. Choose another name or pass --packageName=<snake_case_name>.`,
    );
  }
  const envPrefix = schema.envPrefix ?? packageName.toUpperCase();
  if (!/^[A-Z][A-Z0-9_]*$/.test(envPrefix)) {
    throw new Error(`--envPrefix "${envPrefix}" is not valid: use upper-case letters, digits and "_", starting with a letter (e.g. "API").`);
  }
  return {
    projectName,
    projectRoot: normalizeDirectory(schema.directory ?? `apps/${projectName}`),
    packageName,
    envPrefix,
    title: projectName
      .split(/[-_]/)
      .filter(Boolean)
      .map((part) => part[0].toUpperCase() + part.slice(1))
      .join(' '),
    tags: (schema.tags ?? '')
      .split(',')
      .map((tag) => tag.trim())
      .filter(Boolean),
    skipFormat: schema.skipFormat ?? false,
    skipInstall: schema.skipInstall ?? false,
  };
}

function normalizeDirectory(directory: string): string {
  const raw = directory.trim();
  const normalized = normalizePath(raw).replace(/^\.\//, '').replace(/\/+$/, '');
  if (normalized === '' || normalized === '.') {
    throw new Error('--directory is empty: the project needs its own folder, e.g. --directory=apps/api.');
  }
  if (path.isAbsolute(raw) || normalized.split('/').includes('..')) {
    throw new Error(`--directory "${directory}" points outside the workspace. Give a folder relative to the workspace root, e.g. --directory=apps/api.`);
  }
  if (!/^[A-Za-z0-9._/-]+$/.test(normalized)) {
    throw new Error(`--directory "${directory}" holds characters that break shell commands and Python tools. Use letters, digits, ".", "-", "_" and "/".`);
  }
  return normalized;
}

function assertProjectIsNew(tree: Tree, options: NormalizedApplicationSchema): void {
  const existing = getProjects(tree).get(options.projectName);
  if (existing) {
    throw new Error(
      `A project named "${options.projectName}" already exists (in ${existing.root}). Choose another name, or remove that project first (nx g @nx/workspace:remove ${options.projectName}).`,
    );
  }
  if (tree.exists(options.projectRoot) && tree.children(options.projectRoot).length > 0) {
    throw new Error(
      `The folder ${options.projectRoot} already exists and is not empty. Choose another folder with --directory, or move that folder away first.`,
    );
  }
}

function addFiles(tree: Tree, options: NormalizedApplicationSchema): void {
  generateFiles(tree, TEMPLATES, options.projectRoot, {
    ...options,
    template: '',
    dot: '.',
  });
}

function addProject(tree: Tree, options: NormalizedApplicationSchema): void {
  const configuration: ProjectConfiguration = {
    name: options.projectName,
    root: options.projectRoot,
    projectType: 'application',
    sourceRoot: joinPathFragments(options.projectRoot, 'src', options.packageName),
    tags: options.tags,
    targets: pythonTargets(options),
  };
  addProjectConfiguration(tree, options.projectName, configuration);
}

export const PYTHON_EXECUTOR = 'layered:python';

function python(module: string, args: string[] = []): { module: string; args?: string[] } {
  return args.length === 0 ? { module } : { module, args };
}

function pythonTargets(options: NormalizedApplicationSchema): Record<string, TargetConfiguration> {
  const inputs = ['{projectRoot}/**/*.py', '{projectRoot}/pyproject.toml', '{projectRoot}/uv.lock', { env: 'LAYERED_PYTHON' }];
  return {
    serve: {
      executor: PYTHON_EXECUTOR,
      continuous: true,
      options: python(options.packageName, ['serve', '--reload']),
    },
    test: {
      executor: PYTHON_EXECUTOR,
      cache: true,
      inputs: [...inputs, { env: `${options.envPrefix}_TEST_DATABASE_URL` }],
      options: python('pytest'),
    },
    lint: {
      executor: PYTHON_EXECUTOR,
      cache: true,
      inputs,
      options: python('ruff', ['check', '.']),
    },
    format: {
      executor: PYTHON_EXECUTOR,
      options: python('ruff', ['format', '.']),
    },
    typecheck: {
      executor: PYTHON_EXECUTOR,
      cache: true,
      inputs,
      options: python('mypy'),
    },
    migrate: {
      executor: PYTHON_EXECUTOR,
      options: python('alembic', ['upgrade', 'head']),
    },
    // `nx run api:migrate-down -- <revision>` (or base): undo migrations, e.g. to re-apply a regenerated one.
    'migrate-down': {
      executor: PYTHON_EXECUTOR,
      options: python('alembic', ['downgrade']),
    },
  };
}

export default applicationGenerator;
