import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { PositionEncoding, Workspace } from '@astral-sh/ruff-wasm-nodejs';
import { parse } from 'smol-toml';

const SKIPPED_DIRS = new Set(['.venv', '__pycache__', '.mypy_cache', '.pytest_cache', '.ruff_cache', 'node_modules']);
const NOT_FOR_WASM = new Set(['src', 'exclude', 'extend-exclude', 'cache-dir']);

function pythonFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return SKIPPED_DIRS.has(entry) ? [] : pythonFiles(full);
    return entry.endsWith('.py') ? [full] : [];
  });
}

/**
 * `ruff check` and `ruff format --check` of a Python project, with the settings of its
 * pyproject.toml, through ruff's own wasm build (no ruff binary is packaged for Debian).
 * Returns one line per problem; an empty list means clean.
 */
export function ruffCheck(projectDir: string): string[] {
  const pyproject = parse(readFileSync(path.join(projectDir, 'pyproject.toml'), 'utf-8')) as { tool?: { ruff?: Record<string, unknown> } };
  const settings = Object.fromEntries(Object.entries(pyproject.tool?.ruff ?? {}).filter(([key]) => !NOT_FOR_WASM.has(key)));
  const ruff = new Workspace(settings, PositionEncoding.Utf16);
  const problems: string[] = [];
  for (const file of pythonFiles(projectDir).sort()) {
    const source = readFileSync(file, 'utf-8');
    const relative = path.relative(projectDir, file);
    for (const d of ruff.check(source) as Array<{ code: string | null; message: string; start_location: { row: number; column: number } }>) {
      problems.push(`${relative}:${d.start_location.row}:${d.start_location.column}: ${d.code ?? 'syntax-error'} ${d.message}`);
    }
    if (ruff.format(source) !== source) problems.push(`${relative}: would be reformatted by ruff format`);
  }
  return problems;
}

/** How many .py files ruffCheck looked at, so a test can tell "clean" from "nothing checked". */
export function countPythonFiles(projectDir: string): number {
  return pythonFiles(projectDir).length;
}
