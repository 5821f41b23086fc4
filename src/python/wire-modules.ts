import { joinPathFragments, logger, Tree } from '@nx/devkit';
import { parse as parseToml } from 'smol-toml';
import { CPythonJudge, SourceVerdict, startCPythonJudge } from './cpython';
import { EditContext, PythonEditError } from './edit';
import { RuffSettings } from './format';
import { FeatureWiring } from './wiring';

/**
 * One wiring run over an app's shared modules: CPython reads them as `import` would, the edits
 * are computed on that text, and CPython judges the results before anything is returned.
 */

export type WireModule = (source: string, feature: FeatureWiring, context: EditContext) => Promise<string>;
export type WiringStep = [file: string, wire: WireModule];

export interface WiringOptions {
  settings: RuffSettings;
  /** null: no CPython was found; tree-sitter then checks, and `warn` says so. */
  judge: CPythonJudge | null;
  /** The floor of the project's `requires-python`, e.g. [3, 11]. */
  floor: [number, number] | null;
  warn: (line: string) => void;
}

/** A shared module as read for editing; `encoding` is null when CPython did not judge it. */
interface ModuleInput {
  text: string;
  encoding: string | null;
}

/**
 * The modules of `inputs` (file → bytes on disk) that `steps` change, with their new content.
 * Throws PythonEditError, naming a line of the file on disk, when a module cannot be wired.
 */
export async function wireModules(inputs: Map<string, Buffer>, steps: WiringStep[], feature: FeatureWiring, options: WiringOptions): Promise<Map<string, string | Buffer>> {
  const read = await readModules(inputs, options);
  const edited = new Map<string, string>();
  for (const [file, wire] of steps) {
    const input = read.get(file)!;
    let text: string;
    try {
      text = await wire(edited.get(file) ?? input.text, feature, { file, settings: options.settings, cpythonJudges: input.encoding !== null });
    } catch (error) {
      throw error instanceof PythonEditError ? onDiskLine(error, input.text) : error;
    }
    if (text !== input.text) edited.set(file, text);
    else edited.delete(file);
  }
  const judged = [...read.values()].every((input) => input.encoding !== null);
  return options.judge && judged ? judgeEdits(options.judge, edited, read) : edited;
}

/** The refusal with its line counted in the file on disk, when an earlier edit of the run had moved it. */
function onDiskLine(error: PythonEditError, onDisk: string): PythonEditError {
  if (error.source === undefined || error.source === onDisk) return error;
  const moved = new PythonEditError(error.file, lineBeforeInsertions(error.source, onDisk, error.line), error.expected);
  moved.source = onDisk;
  return moved;
}

/**
 * Line `line` of `edited`, counted in `original`, of which `edited` only adds to: the lines are
 * matched by a longest common subsequence, and an added line counts as the original line after it.
 */
export function lineBeforeInsertions(edited: string, original: string, line: number): number {
  const a = original.split(/\r\n|\r|\n/);
  const b = edited.split(/\r\n|\r|\n/);
  // lengths[i][j]: LCS of a[i..] and b[j..].
  const lengths = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) lengths[i][j] = a[i] === b[j] ? lengths[i + 1][j + 1] + 1 : Math.max(lengths[i + 1][j], lengths[i][j + 1]);
  }
  let i = 0;
  for (let j = 0; j < b.length; ) {
    if (i < a.length && a[i] === b[j]) {
      if (j === line - 1) return i + 1;
      i++;
      j++;
    } else if (lengths[i][j + 1] >= (i < a.length ? lengths[i + 1][j] : 0)) {
      // An added or grown line: it stands where original line i + 1 stands.
      if (j === line - 1) return Math.min(i + 1, a.length);
      j++;
    } else i++;
  }
  return Math.min(line, a.length);
}

/** One generator run of `steps` over the project's modules as they are in `tree`, with its own CPython judge. */
export async function wireProjectModules(tree: Tree, projectRoot: string, steps: WiringStep[], feature: FeatureWiring, settings: RuffSettings): Promise<Map<string, string | Buffer>> {
  if (steps.length === 0) return new Map();
  const judge = startCPythonJudge(tree, projectRoot);
  try {
    const inputs = new Map(steps.map(([file]) => [file, tree.read(file)!]));
    return await wireModules(inputs, steps, feature, { settings, judge, floor: requiredPython(tree, projectRoot), warn: (line) => logger.warn(line) });
  } finally {
    judge?.close();
  }
}

export function notJudgedWarning(why: string): string {
  return `layered: CPython did not check the wired modules (${why}); tree-sitter checked them and accepts some invalid Python. Install python3, or set LAYERED_PYTHON to a Python 3 interpreter.`;
}

/** The floor of the project's `requires-python` (`>=3.11` gives [3, 11]), if it declares one. */
export function requiredPython(tree: Tree, projectRoot: string): [number, number] | null {
  try {
    const project = (parseToml(tree.read(joinPathFragments(projectRoot, 'pyproject.toml'), 'utf-8') ?? '') as { project?: { 'requires-python'?: unknown } }).project;
    const floor = />=\s*(\d+)\.(\d+)/.exec(String(project?.['requires-python'] ?? ''));
    return floor ? [Number(floor[1]), Number(floor[2])] : null;
  } catch {
    return null;
  }
}

function olderThan(version: string, floor: [number, number] | null): boolean {
  const [major, minor] = version.split('.').map(Number);
  return floor !== null && (major < floor[0] || (major === floor[0] && minor < floor[1]));
}

/** Reads the modules as CPython would import them; refuses, writing nothing, a module it rejects. */
async function readModules(inputs: Map<string, Buffer>, options: WiringOptions): Promise<Map<string, ModuleInput>> {
  const files = [...inputs.keys()];
  const fallback = (): Map<string, ModuleInput> => new Map(files.map((file) => [file, { text: inputs.get(file)!.toString('utf-8'), encoding: null }]));
  const { judge } = options;
  if (judge === null) return fallback();
  let verdicts: SourceVerdict[];
  try {
    verdicts = await judge.judge(files.map((file) => ({ path: file, bytes: inputs.get(file)!, floor: options.floor })));
  } catch (error) {
    options.warn(notJudgedWarning(`${judge.python} could not run: ${(error as Error).message}`));
    return fallback();
  }
  // An older parser would reject the newer syntax the project may use (`match`, `except*`).
  if (olderThan(judge.version, options.floor)) {
    options.warn(notJudgedWarning(`${judge.python} is Python ${judge.version}, older than the project's requires-python >=${options.floor!.join('.')}`));
    return fallback();
  }
  const read = new Map<string, ModuleInput>();
  files.forEach((file, i) => {
    const verdict = verdicts[i];
    if (!verdict.ok) {
      throw new PythonEditError(
        file,
        verdict.line,
        `${verdict.msg} (${verdict.kind}, CPython ${judge.version}). layered edits only modules Python can import: fix this, then run the generator again. Nothing was written.`,
      );
    }
    read.set(file, { text: verdict.text, encoding: verdict.encoding });
  });
  return read;
}

/** The edited modules in their input's encoding, once CPython accepts them; an edit it rejects is a bug. */
async function judgeEdits(judge: CPythonJudge, edited: Map<string, string>, inputs: Map<string, ModuleInput>): Promise<Map<string, Buffer>> {
  const files = [...edited.keys()];
  const verdicts = await judge.judge(files.map((file) => ({ path: file, text: edited.get(file)!, encoding: inputs.get(file)!.encoding! })));
  const judged = new Map<string, Buffer>();
  files.forEach((file, i) => {
    const verdict = verdicts[i];
    if (!verdict.ok) {
      throw new Error(
        `${file}: internal error: the edit would make this module invalid Python (CPython ${judge.version}: ${verdict.msg}, at line ${verdict.line} of the edited module). Nothing was written. This is a bug in layered; please report it with a copy of ${file}.`,
      );
    }
    judged.set(file, verdict.bytes);
  });
  return judged;
}
