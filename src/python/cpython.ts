import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import * as path from 'node:path';
import { joinPathFragments, logger, Tree } from '@nx/devkit';
import { findOnPath, isExecutableFile } from '../executors/python/resolve-python';

/**
 * CPython as the judge of whether a Python file is valid: tree-sitter tolerates what CPython
 * rejects (Python 2 syntax, TabError, `return` at module level, undecodable bytes), so the
 * verdict comes from compiling the file's bytes exactly as `import` does.
 */

/** CPython's verdict on one file. A rejection carries CPython's own line and message. */
export type SourceVerdict =
  | { ok: true; encoding: string; text: string; bytes: Buffer }
  | { ok: false; line: number; offset: number | null; msg: string; kind: string };

export interface PythonLookup {
  workspaceRoot: string;
  projectRoot: string;
  env: NodeJS.ProcessEnv;
}

// compile() on the raw bytes honours the BOM and the coding cookie (PEP 263), tokenizes and
// compiles without running anything, as importlib's source_to_code does. One request per line.
const JUDGE_SCRIPT = String.raw`
import ast, base64, io, json, sys, tokenize

def rejected(error, data):
    line = getattr(error, "lineno", None)
    if line is None and b"\0" in data:
        line = data[: data.index(b"\0")].count(b"\n") + 1
    offset = getattr(error, "offset", None)
    return {"ok": False, "line": max(line or 1, 1), "offset": offset if isinstance(offset, int) else None,
            "msg": getattr(error, "msg", None) or str(error), "kind": type(error).__name__}

def judge(path, data, floor):
    try:
        compile(data, path, "exec", dont_inherit=True)
        if floor:
            # Syntax newer than the project's requires-python floor fails there.
            ast.parse(data, path, feature_version=tuple(floor))
        # detect_encoding reads lines split on LF only; CPython also ends them with a lone CR.
        lines = io.BytesIO(data.replace(b"\r\n", b"\n").replace(b"\r", b"\n"))
        encoding = tokenize.detect_encoding(lines.readline)[0]
        text = data.decode(encoding)
    except (SyntaxError, ValueError, UnicodeError, MemoryError, RecursionError) as error:
        return rejected(error, data)
    return {"ok": True, "encoding": encoding, "text": text, "bytes": base64.b64encode(data).decode()}

def source_of(request):
    if "bytes" in request:
        return base64.b64decode(request["bytes"])
    return request["text"].encode(request["encoding"])

for line in sys.stdin:
    answers = []
    for request in json.loads(line):
        try:
            data = source_of(request)
        except UnicodeError as error:
            answers.append(rejected(error, b""))
            continue
        answers.append(judge(request["path"], data, request.get("floor")))
    sys.stdout.write(json.dumps({"version": sys.version.split()[0], "answers": answers}) + "\n")
    sys.stdout.flush()
`;

/** A file to judge: its bytes on disk, or edited text to encode the way its input was encoded. */
export type SourceToJudge = ({ path: string; bytes: Buffer } | { path: string; text: string; encoding: string }) & {
  /** Also reject syntax newer than this Python version (the project's `requires-python` floor). */
  floor?: [number, number] | null;
};

/**
 * The interpreter to judge with: LAYERED_PYTHON (as the python executor reads it), the project's
 * own `.venv`, then `python3` or `python` on PATH. Any CPython 3 judges syntax; the project's
 * floor (`requires-python >= 3.11`) adds no syntax that an older 3.x parser would miss here.
 */
export function findJudgePython(lookup: PythonLookup): string | null {
  const configured = lookup.env.LAYERED_PYTHON?.trim();
  if (configured) {
    const isPath = configured.includes('/') || configured.includes(path.sep);
    const python = isPath ? path.resolve(lookup.workspaceRoot, configured) : findOnPath(configured, lookup.env);
    if (python !== null && isExecutableFile(python)) return python;
  }
  const venv = path.resolve(lookup.workspaceRoot, lookup.projectRoot, '.venv');
  for (const candidate of [path.join(venv, 'bin', 'python'), path.join(venv, 'Scripts', 'python.exe')]) {
    if (isExecutableFile(candidate)) return candidate;
  }
  return findOnPath('python3', lookup.env) ?? findOnPath('python', lookup.env);
}

/** A judge for a generator run on `projectRoot`, or null (with a warning) when no Python is found. */
export function startCPythonJudge(tree: Tree, projectRoot: string): CPythonJudge | null {
  const python = findJudgePython({ workspaceRoot: tree.root, projectRoot, env: process.env });
  if (python === null) {
    logger.warn(
      `layered: CPython did not check the wired modules (no LAYERED_PYTHON, no ${joinPathFragments(projectRoot, '.venv')}, no python3 on PATH); tree-sitter checked them and accepts some invalid Python. Install python3, or set LAYERED_PYTHON to a Python 3 interpreter.`,
    );
    return null;
  }
  return CPythonJudge.start(python);
}

/** One CPython process that judges every file of a generator run, request by request. */
export class CPythonJudge {
  version = '';
  private buffered = '';
  private waiting: Array<{ resolve: (line: string) => void; reject: (error: Error) => void }> = [];
  private failure: Error | null = null;

  private constructor(
    readonly python: string,
    private readonly child: ChildProcessWithoutNullStreams,
  ) {
    child.stdout.setEncoding('utf-8');
    child.stdout.on('data', (chunk: string) => {
      this.buffered += chunk;
      for (let end = this.buffered.indexOf('\n'); end !== -1; end = this.buffered.indexOf('\n')) {
        const line = this.buffered.slice(0, end);
        this.buffered = this.buffered.slice(end + 1);
        this.waiting.shift()?.resolve(line);
      }
    });
    let stderr = '';
    child.stderr.setEncoding('utf-8');
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    const fail = (error: Error): void => {
      this.failure ??= error;
      for (const waiter of this.waiting.splice(0)) waiter.reject(this.failure);
    };
    child.on('error', fail);
    child.on('close', (code) => fail(new Error(`${python} exited (code ${code})${stderr.trim() ? `: ${stderr.trim().split('\n').at(-1)}` : ''}`)));
    child.stdin.on('error', fail);
  }

  static start(python: string): CPythonJudge {
    return new CPythonJudge(python, spawn(python, ['-I', '-c', JUDGE_SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] }));
  }

  /** CPython's verdicts, in the order of `files`. Rejects when the interpreter cannot answer. */
  async judge(files: SourceToJudge[]): Promise<SourceVerdict[]> {
    if (this.failure) throw this.failure;
    const request = files.map((file) => ('bytes' in file ? { ...file, bytes: file.bytes.toString('base64') } : file));
    const line = await new Promise<string>((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.child.stdin.write(`${JSON.stringify(request)}\n`);
    });
    const answer = JSON.parse(line) as { version: string; answers: Array<Record<string, unknown>> };
    this.version = answer.version;
    return answer.answers.map((verdict) =>
      verdict.ok ? ({ ...verdict, bytes: Buffer.from(verdict.bytes as string, 'base64') } as SourceVerdict) : (verdict as SourceVerdict),
    );
  }

  close(): void {
    this.child.stdin.end();
  }
}
