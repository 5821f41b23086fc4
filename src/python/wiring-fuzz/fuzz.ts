import { ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import * as path from 'node:path';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { applicationGenerator } from '../../generators/application/generator';
import { CPythonJudge } from '../cpython';
import { PythonEditError } from '../edit';
import { DEFAULT_RUFF_SETTINGS, RuffSettings } from '../format';
import { toPascalCase } from '../names';
import { wireModules, WiringStep } from '../wire-modules';
import { unwireFeatureFromErrors, unwireFeatureFromFactory, unwireFeatureFromRouter, unwireFeatureFromTables } from '../unwire';
import { FeatureWiring, wireFeatureIntoErrors, wireFeatureIntoFactory, wireFeatureIntoRouter, wireFeatureIntoTables } from '../wiring';
import { CaseDraft, dueRefusal, finish, FuzzFeature, MODULE_KINDS, ModuleKind, mutate } from './mutations';
import { Random } from './random';

/**
 * The wiring fuzzer: hand-edited copies of the four modules a new app has, wired by the same
 * code `layered:feature` runs, each outcome judged by an independent CPython oracle
 * (oracle.py). A case is replayable from its seed alone; a failed case is kept as a fixture.
 */

const SOURCE = 'apps/api/src/api';
export const MODULE_FILES: Record<ModuleKind, string> = {
  errors: `${SOURCE}/domain/errors.py`,
  tables: `${SOURCE}/domain/repositories/tables.py`,
  factory: `${SOURCE}/domain/factory.py`,
  router: `${SOURCE}/http/routes/__init__.py`,
};

/** One case as the oracle and the fixtures see it: everything needed to replay it. */
export interface FuzzCase {
  seed: number;
  applied: string[];
  feature: FuzzFeature;
  settings: RuffSettings;
  inputs: Record<ModuleKind, string>;
  expectedRefusal: { module: ModuleKind; line: number } | null;
  /** No hand edit wired any part of the feature, so removing it must give back the input exactly. */
  pristine: boolean;
}

export type Outcome =
  | {
      kind: 'edited';
      outputs: Partial<Record<ModuleKind, string>>;
      rerunChanged: ModuleKind[];
      /** Modules that `layered:remove-feature`'s unwiring does not turn back into the input (or why it refused). */
      removalDiffers: string[];
    }
  | { kind: 'refused'; module: ModuleKind; line: number; message: string }
  | { kind: 'crashed'; message: string };

export interface FuzzReport {
  cases: number;
  edited: number;
  refused: number;
  /** Refusals of input CPython rejects. */
  refusedInvalid: number;
  failed: Array<{ case: FuzzCase; outcome: Outcome; problems: string[] }>;
}

const STEPS: Array<[ModuleKind, WiringStep[1]]> = [
  ['errors', wireFeatureIntoErrors],
  ['tables', wireFeatureIntoTables],
  ['factory', wireFeatureIntoFactory],
  ['router', wireFeatureIntoRouter],
];
const REMOVAL_STEPS: Array<[ModuleKind, WiringStep[1]]> = [
  ['router', unwireFeatureFromRouter],
  ['factory', unwireFeatureFromFactory],
  ['tables', unwireFeatureFromTables],
  ['errors', unwireFeatureFromErrors],
];

function wiringOf(feature: FuzzFeature): FeatureWiring {
  return { ...feature, label: feature.module.replace(/_/g, ' ') };
}

function kindOf(file: string): ModuleKind {
  return MODULE_KINDS.find((kind) => MODULE_FILES[kind] === file)!;
}

/** Wires `feature` into the modules, as the generator does, with warnings treated as failures. */
export async function wire(
  judge: CPythonJudge,
  inputs: Map<ModuleKind, Buffer>,
  feature: FuzzFeature,
  settings: RuffSettings,
  which: Array<[ModuleKind, WiringStep[1]]> = STEPS,
): Promise<Map<ModuleKind, Buffer>> {
  const files = new Map([...inputs].map(([kind, bytes]) => [MODULE_FILES[kind], bytes]));
  const steps: WiringStep[] = which.map(([kind, step]) => [MODULE_FILES[kind], step]);
  const edited = await wireModules(files, steps, wiringOf(feature), {
    settings,
    judge,
    floor: [3, 11],
    warn: (line) => {
      throw new Error(`unexpected warning: ${line}`);
    },
  });
  return new Map([...edited].map(([file, content]) => [kindOf(file), Buffer.isBuffer(content) ? content : Buffer.from(content)]));
}

/** The four modules of a new app, as `layered:application` writes them. */
export async function newAppModules(): Promise<Map<ModuleKind, Buffer>> {
  const tree = createTreeWithEmptyWorkspace();
  await applicationGenerator(tree, { name: 'api', skipFormat: true });
  return new Map(MODULE_KINDS.map((kind) => [kind, tree.read(MODULE_FILES[kind])!]));
}

function randomFeature(random: Random, taken: string | null): FuzzFeature {
  const module = random.pick(['recipe', 'order_line', 'item', 'ingredient'].filter((name) => name !== taken));
  return {
    packageName: 'api',
    module,
    className: toPascalCase(module),
    writes: random.chance(0.8),
    concurrentReads: random.chance(0.8),
    conflicts: random.chance(0.6),
  };
}

/** Builds case number `index` of a run with `seed`: a base app (perhaps with another feature wired), then hand edits. */
export async function makeCase(judge: CPythonJudge, base: Map<ModuleKind, Buffer>, seed: number, index: number): Promise<FuzzCase> {
  const caseSeed = (Math.imul(seed, 1000003) + index) >>> 0;
  const random = new Random(caseSeed);
  let start = base;
  let taken: string | null = null;
  if (random.chance(0.35)) {
    const earlier = randomFeature(random, null);
    taken = earlier.module;
    start = new Map([...base, ...(await wire(judge, base, earlier, DEFAULT_RUFF_SETTINGS))]);
  }
  const feature = randomFeature(random, taken);
  const draft: CaseDraft = {
    texts: Object.fromEntries(MODULE_KINDS.map((kind) => [kind, start.get(kind)!.toString('utf-8')])) as Record<ModuleKind, string>,
    eol: Object.fromEntries(MODULE_KINDS.map((kind) => [kind, '\n'])) as CaseDraft['eol'],
    encoding: Object.fromEntries(MODULE_KINDS.map((kind) => [kind, 'utf-8'])) as CaseDraft['encoding'],
    refusal: null,
    applied: taken ? [`${taken} wired first`] : [],
    prewired: false,
  };
  mutate(draft, random, feature, 1 + random.int(6));
  const inputs = Object.fromEntries(MODULE_KINDS.map((kind) => [kind, finish(draft, kind).toString('base64')])) as Record<ModuleKind, string>;
  const settings = random.chance(0.2) ? { ...DEFAULT_RUFF_SETTINGS, 'line-length': random.pick([60, 79, 100, 120]) } : { ...DEFAULT_RUFF_SETTINGS };
  return { seed: caseSeed, applied: draft.applied, feature, settings, inputs, expectedRefusal: dueRefusal(draft), pristine: !draft.prewired };
}

/** Runs the wiring on a case twice (the second run must change nothing). */
export async function runCase(judge: CPythonJudge, fuzzCase: FuzzCase): Promise<Outcome> {
  const inputs = new Map(MODULE_KINDS.map((kind) => [kind, Buffer.from(fuzzCase.inputs[kind], 'base64')]));
  let edited: Map<ModuleKind, Buffer>;
  try {
    edited = await wire(judge, inputs, fuzzCase.feature, fuzzCase.settings);
  } catch (error) {
    if (error instanceof PythonEditError) return { kind: 'refused', module: kindOf(error.file), line: error.line, message: error.message };
    return { kind: 'crashed', message: (error as Error).stack ?? String(error) };
  }
  let rerunChanged: ModuleKind[];
  try {
    rerunChanged = [...(await wire(judge, new Map([...inputs, ...edited]), fuzzCase.feature, fuzzCase.settings)).keys()];
  } catch (error) {
    return { kind: 'crashed', message: `the second run failed: ${(error as Error).message}` };
  }
  const outputs = Object.fromEntries([...edited].map(([kind, bytes]) => [kind, bytes.toString('base64')]));
  return { kind: 'edited', outputs, rerunChanged, removalDiffers: await removalDiffers(judge, fuzzCase, inputs, edited) };
}

/**
 * Removing the feature by the step-wise inverse (what remove-feature does when its record no
 * longer matches) must give a module that wiring turns back into the output, byte for byte: the
 * input itself, or, where wiring maps two inputs to one output, the other one.
 */
async function removalDiffers(judge: CPythonJudge, fuzzCase: FuzzCase, inputs: Map<ModuleKind, Buffer>, edited: Map<ModuleKind, Buffer>): Promise<string[]> {
  if (!fuzzCase.pristine) return [];
  const output = new Map([...inputs, ...edited]);
  let rewired: Map<ModuleKind, Buffer>;
  try {
    const removed = new Map([...output, ...(await wire(judge, output, fuzzCase.feature, fuzzCase.settings, REMOVAL_STEPS))]);
    rewired = new Map([...removed, ...(await wire(judge, removed, fuzzCase.feature, fuzzCase.settings))]);
  } catch (error) {
    return [`removal refused: ${(error as Error).message}`];
  }
  return MODULE_KINDS.filter((kind) => !rewired.get(kind)!.equals(output.get(kind)!));
}

/** The oracle process: one CPython, one JSON case per line. */
export class Oracle {
  private buffered = '';
  private waiting: Array<(line: string) => void> = [];
  private readonly child: ChildProcessByStdio<Writable, Readable, null>;

  constructor(python: string) {
    this.child = spawn(python, ['-I', path.join(__dirname, 'oracle.py')], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.child.stdout.setEncoding('utf-8');
    this.child.stdout.on('data', (chunk: string) => {
      this.buffered += chunk;
      for (let end = this.buffered.indexOf('\n'); end !== -1; end = this.buffered.indexOf('\n')) {
        const line = this.buffered.slice(0, end);
        this.buffered = this.buffered.slice(end + 1);
        this.waiting.shift()?.(line);
      }
    });
  }

  /** The promises the outcome broke; empty when it kept them all. */
  async problems(fuzzCase: FuzzCase, outcome: Outcome): Promise<string[]> {
    const request = {
      package: fuzzCase.feature.packageName,
      module: fuzzCase.feature.module,
      className: fuzzCase.feature.className,
      concurrentReads: fuzzCase.feature.concurrentReads,
      conflicts: fuzzCase.feature.conflicts,
      inputs: fuzzCase.inputs,
      expectedRefusal: fuzzCase.expectedRefusal,
      outcome,
    };
    const line = await new Promise<string>((resolve) => {
      this.waiting.push(resolve);
      this.child.stdin.write(`${JSON.stringify(request)}\n`);
    });
    return JSON.parse(line) as string[];
  }

  close(): void {
    this.child.stdin.end();
  }
}

/** Runs `cases` cases from `seed`; `onCase` sees each judged case (for progress and fixtures). */
export async function runWiringFuzz(python: string, seed: number, cases: number, onCase?: (index: number, report: FuzzReport) => void): Promise<FuzzReport> {
  const judge = CPythonJudge.start(python);
  const oracle = new Oracle(python);
  const report: FuzzReport = { cases: 0, edited: 0, refused: 0, refusedInvalid: 0, failed: [] };
  try {
    const base = await newAppModules();
    for (let index = 0; index < cases; index++) {
      const fuzzCase = await makeCase(judge, base, seed, index);
      const outcome = await runCase(judge, fuzzCase);
      const problems = await oracle.problems(fuzzCase, outcome);
      report.cases++;
      if (outcome.kind === 'edited') report.edited++;
      if (outcome.kind === 'refused') {
        report.refused++;
        if (/CPython \d/.test(outcome.message)) report.refusedInvalid++;
      }
      if (problems.length > 0) report.failed.push({ case: fuzzCase, outcome, problems });
      onCase?.(index, report);
    }
  } finally {
    judge.close();
    oracle.close();
  }
  return report;
}
