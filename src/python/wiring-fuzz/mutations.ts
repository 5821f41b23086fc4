import { commentableLineEnds, freeLineStarts, lineOf } from './lines';
import { Random } from './random';

/**
 * Hand edits a person makes to the four modules `layered:feature` wires. Each edit works on
 * `\n` text; line endings, a BOM and the encoding are applied when the case is finished.
 * CPython, in the oracle, decides which results are valid: an edit may well break the file.
 */

export const MODULE_KINDS = ['errors', 'tables', 'factory', 'router'] as const;
export type ModuleKind = (typeof MODULE_KINDS)[number];

/** The feature being wired, as the mutations need to know it (to pre-wire it in other spellings). */
export interface FuzzFeature {
  packageName: string;
  module: string;
  className: string;
  writes: boolean;
  concurrentReads: boolean;
  conflicts: boolean;
}

export interface ExpectedRefusal {
  module: ModuleKind;
  /** The line the refusal must name, on the finished text; null when no refusal is due after all. */
  line: (text: string) => number | null;
}

export interface CaseDraft {
  texts: Record<ModuleKind, string>;
  eol: Record<ModuleKind, '\n' | '\r\n' | '\r'>;
  encoding: Record<ModuleKind, 'utf-8' | 'utf-8-sig' | 'latin-1'>;
  /** A hand edit the wiring cannot build on: the one refusal that is due when every input is valid. */
  refusal: ExpectedRefusal | null;
  applied: string[];
  /** A hand edit wired part of the feature already. */
  prewired: boolean;
}

interface Mutation {
  name: string;
  modules: readonly ModuleKind[];
  /** Returns the new text, or null when the edit does not apply to this text. */
  apply: (text: string, random: Random, feature: FuzzFeature, draft: CaseDraft, module: ModuleKind) => string | null;
  /** Makes a refusal due; at most one such edit per case. */
  refuses?: boolean;
  /** Wires part of the feature by hand. */
  prewires?: boolean;
}

const ALL = MODULE_KINDS;
const IMPORTING: readonly ModuleKind[] = ['factory', 'router', 'tables'];
const WORDS = ['note', 'TODO: revisit', 'keep in step with the docs', 'noqa', 'type: ignore', 'café ☕', 'naïve 日本語', 'pylint: disable=unused-import', 'rocket 🚀 𝔘', 'form\ffeed'];

function insertAt(text: string, at: number, inserted: string): string {
  return text.slice(0, at) + inserted + text.slice(at);
}

/** Column-0 `from X import a, b` lines (no brackets, no comment, no continuation). */
function simpleFromImports(text: string): RegExpExecArray[] {
  return [...text.matchAll(/^from ([\w.]+) import ([\w, ]+)$/gm)];
}

/** Replaces one random simple `from X import a, b` with `render(X, [a, b])`; null when there is none. */
function rewriteSimpleImport(text: string, random: Random, render: (module: string, names: string[]) => string): string | null {
  const found = simpleFromImports(text);
  if (found.length === 0) return null;
  const match = random.pick(found);
  const names = match[2].split(',').map((name) => name.trim());
  return text.slice(0, match.index) + render(match[1], names) + text.slice(match.index! + match[0].length);
}

/** Where a new statement may go right after the module docstring and any `__future__` import. */
function afterHeader(text: string): number {
  const docstring = /^(?:[ \t]*(?:#.*)?\n)*"""[\s\S]*?"""\n/.exec(text);
  let at = docstring ? docstring[0].length : 0;
  const future = /^from __future__ import [\w, ]+\n/m.exec(text.slice(at));
  if (future && future.index !== undefined) at += future.index + future[0].length;
  return at;
}

function featureNames(feature: FuzzFeature): { routes: string; repositories: string; controllers: string; services: string } {
  const pkg = feature.packageName;
  return {
    routes: `${pkg}.http.routes`,
    repositories: `${pkg}.domain.repositories`,
    controllers: `${pkg}.domain.controllers`,
    services: `${pkg}.domain.services`,
  };
}

/** Replaces `\x63`-style the last ASCII letter of `value` inside a double-quoted literal. */
function escapedLiteral(value: string, random: Random): string {
  const split = 1 + random.int(Math.max(1, value.length - 1));
  return random.pick([
    `"${value.slice(0, -1)}\\x${value.charCodeAt(value.length - 1).toString(16)}"`,
    `"${value.slice(0, split)}" "${value.slice(split)}"`,
    `'${value}'`,
    `("${value}")`,
    `"${value.slice(0, split)}" '${value.slice(split)}'`,
    `"${value.slice(0, -1)}\\u00${value.charCodeAt(value.length - 1).toString(16)}"`,
  ]);
}

const MUTATIONS: Mutation[] = [
  // --- anywhere -------------------------------------------------------------------------
  {
    name: 'comment line',
    modules: ALL,
    apply: (text, random) => {
      const at = random.pick(freeLineStarts(text));
      const indent = random.pick(['', '    ', '  ', '        ', '\t', ' ']);
      return insertAt(text, at, `${indent}# ${random.pick(WORDS)}\n`);
    },
  },
  {
    name: 'blank line',
    modules: ALL,
    apply: (text, random) => insertAt(text, random.pick(freeLineStarts(text)), random.pick(['\n', '    \n', '\n\n'])),
  },
  {
    name: 'trailing comment',
    modules: ALL,
    apply: (text, random) => {
      const ends = commentableLineEnds(text);
      return ends.length === 0 ? null : insertAt(text, random.pick(ends), random.pick(['  # noqa: F401', ' # keep', '\t# why', '  # type: ignore[misc]']));
    },
  },
  {
    name: 'trailing whitespace',
    modules: ALL,
    apply: (text, random) => {
      const ends = commentableLineEnds(text);
      return ends.length === 0 ? null : insertAt(text, random.pick(ends), random.pick([' ', '\t', '   ']));
    },
  },
  { name: 'no final newline', modules: ALL, apply: (text) => text.replace(/\n+$/, '') },
  { name: 'extra final newlines', modules: ALL, apply: (text) => `${text}\n\n` },
  {
    name: 'from __future__ import annotations',
    modules: ALL,
    apply: (text) => (text.includes('from __future__') ? null : insertAt(text, afterHeader(text), 'from __future__ import annotations\n\n')),
  },
  {
    name: 'no docstring',
    modules: ALL,
    apply: (text) => {
      const docstring = /^"""[\s\S]*?"""\n\n?/.exec(text);
      return docstring ? text.slice(docstring[0].length) : null;
    },
  },
  {
    name: 'stdlib import first',
    modules: ALL,
    apply: (text, random) => insertAt(text, afterHeader(text), `${random.pick(['import os', 'import logging', 'from typing import Any', 'import sys as _sys'])}\n`),
  },
  {
    name: 'code appended',
    modules: ALL,
    apply: (text, random) =>
      text +
      random.pick([
        '\n\nVERSION = 1\n',
        '\n\ndef helper() -> int:\n    return 1\n',
        '\n\nif False:\n    pass\n',
        '\n\ntry:\n    import json\nexcept ImportError:\n    json = None\n',
        '\n\nclass Extra:\n    """Hand-written."""\n\n    value = 1\n',
        '\n# end of module\n',
        '\n\n@staticmethod\ndef decorated() -> None:\n    pass\n',
      ]),
  },
  {
    name: 'tabs for indentation',
    modules: ALL,
    apply: (text) => (text.includes('"""\n    ') ? null : text.replace(/^((?: {4})+)/gm, (spaces) => '\t'.repeat(spaces.length / 4))),
  },
  { name: 'two-space indentation', modules: ALL, apply: (text) => text.replace(/^((?: {4})+)/gm, (spaces) => ' '.repeat(spaces.length / 2)) },
  {
    name: 'invalid line',
    modules: ALL,
    apply: (text, random) => {
      const line = random.pick(['print "wired"', 'NAME = `x`', 'if 1 <> 2: pass', 'MODE = 0777', 'return None', 'await thing()', 'def broken(:', '  X = 1', 'x = (1,', 'type Alias = int', 'del f()']);
      return random.chance(0.5) ? `${text}\n${line}\n` : insertAt(text, random.pick(freeLineStarts(text)), `${line}\n`);
    },
  },
  {
    name: 'tab/space mix',
    modules: ALL,
    apply: (text) => (/^ {8}\S/m.test(text) ? text.replace(/^ {8}(\S)/m, '\t$1') : null),
  },

  {
    name: 'non-BMP text in code',
    modules: ALL,
    apply: (text, random) => insertAt(text, afterHeader(text), random.pick(['𝔘𝔫𝔦 = "🚀"\n', 'ÉTAT = "naïve 🚀"\n', 'LABEL = "\\N{ROCKET}"  # 🚀\n'])),
  },
  {
    name: 'statements joined by semicolons',
    modules: ALL,
    apply: (text, random) => {
      const found = [...text.matchAll(/^(import \w+|from [\w.]+ import [\w, ]+)$/gm)];
      if (found.length === 0) return null;
      const match = random.pick(found);
      return insertAt(text, match.index! + match[0].length, random.pick(['; import re', ';', '  ;  X_ = 1']));
    },
  },
  {
    name: 'a form feed between sections',
    modules: ALL,
    apply: (text, random) => {
      const starts = freeLineStarts(text).filter((at) => at > 0 && text[at - 1] === '\n' && text[at - 2] === '\n');
      return starts.length === 0 ? null : insertAt(text, random.pick(starts), '\f\n');
    },
  },

  // --- imports --------------------------------------------------------------------------
  {
    name: 'import in parentheses',
    modules: IMPORTING,
    apply: (text, random) =>
      rewriteSimpleImport(text, random, (module, names) => {
        const style = random.int(4);
        const body =
          style === 0
            ? `(\n${names.map((name) => `    ${name},`).join('\n')}\n)`
            : style === 1
              ? `(\n${names.map((name) => `    ${name}`).join(',\n')}\n)`
              : style === 2
                ? `(\n${names.map((name) => `    ${name}`).join(',\n')})`
                : `(${names.join(', ')})`;
        return `from ${module} import ${body}`;
      }),
  },
  {
    name: 'import with backslash',
    modules: IMPORTING,
    apply: (text, random) =>
      rewriteSimpleImport(text, random, (module, names) => {
        const body = names.length > 1 && random.chance(0.5) ? `${names[0]}, \\\n    ${names.slice(1).join(', ')}` : names.join(', ');
        return (random.chance(0.5) ? `from ${module} \\\n    import ` : `from ${module} import `) + body;
      }),
  },
  {
    name: 'import names unsorted',
    modules: IMPORTING,
    apply: (text, random) => {
      const found = simpleFromImports(text).filter((match) => match[2].includes(','));
      if (found.length === 0) return null;
      const match = random.pick(found);
      const names = match[2].split(',').map((name) => name.trim()).reverse();
      return text.slice(0, match.index) + `from ${match[1]} import ${names.join(', ')}` + text.slice(match.index + match[0].length);
    },
  },
  {
    name: 'import spacing',
    modules: IMPORTING,
    apply: (text, random) => {
      const found = simpleFromImports(text);
      if (found.length === 0) return null;
      const match = random.pick(found);
      return text.slice(0, match.index) + `from  ${match[1]}  import  ${match[2].replace(/, /g, ' ,  ')}` + text.slice(match.index + match[0].length);
    },
  },
  {
    name: 'first-party imports at the bottom',
    modules: IMPORTING,
    apply: (text, random, feature) => {
      const lines = [...text.matchAll(new RegExp(`^from ${feature.packageName}\\.[\\w.]+ import [\\w, ]+\\n`, 'gm'))];
      if (lines.length === 0) return null;
      const moved = random.chance(0.5) ? lines : [random.pick(lines)];
      let rest = text;
      for (const line of [...moved].reverse()) rest = rest.slice(0, line.index) + rest.slice(line.index + line[0].length);
      return `${rest.replace(/\n*$/, '\n')}\n${moved.map((line) => line[0].replace(/\n$/, '  # noqa: E402\n')).join('')}`;
    },
  },
  {
    name: 'an aliased import',
    modules: IMPORTING,
    apply: (text, random, feature) => {
      const extra = random.pick([
        `from ${feature.packageName}.domain.controllers.health import HealthController as HC`,
        `import ${feature.packageName}.domain.errors`,
        `import ${feature.packageName}.domain.errors as errors_module`,
        `from ${feature.packageName} import domain`,
      ]);
      const found = simpleFromImports(text);
      const at = found.length > 0 ? random.pick(found).index! : afterHeader(text);
      return insertAt(text, at, `${extra}\n`);
    },
  },

  // --- router registry ------------------------------------------------------------------
  {
    name: 'ROUTERS reshaped',
    modules: ['router'],
    apply: (text, random) => {
      const match = /^(ROUTERS(?:: [^=\n]+)? = )\(([^()\n]*)\)$/m.exec(text);
      if (!match) return null;
      const elements = match[2].split(',').map((item) => item.trim()).filter(Boolean);
      const shapes = [
        `(\n${elements.map((item) => `    ${item},`).join('\n')}\n)`,
        `(\n${elements.map((item) => `    ${item}`).join(',\n')},)`,
        `[${elements.join(', ')}]`,
        `[\n${elements.map((item) => `    ${item}`).join(',\n')}\n]`,
        `(\n    # routers of the app\n${elements.map((item) => `    ${item},  # ${item}`).join('\n')}\n)`,
        '()',
        '(\n    # none yet\n)',
        '[]',
        `(${elements.join(', ')},  )`,
      ];
      return text.slice(0, match.index) + match[1] + random.pick(shapes) + text.slice(match.index + match[0].length);
    },
  },
  { name: 'ROUTERS unannotated', modules: ['router'], apply: (text) => text.replace(/^ROUTERS: [^=\n]+ = /m, 'ROUTERS = ') },
  {
    name: 'ROUTERS assigned twice',
    modules: ['router'],
    apply: (text) => {
      const match = /^ROUTERS(?:: [^=\n]+)? = /m.exec(text);
      return match && text.indexOf('ROUTERS', match.index + 1) === -1 ? insertAt(text, match.index, 'ROUTERS = ()  # replaced below\n') : null;
    },
  },
  {
    name: 'router pre-wired in another spelling',
    prewires: true,
    modules: ['router'],
    apply: (text, random, feature) => {
      const { routes } = featureNames(feature);
      const m = feature.module;
      const [importLine, element] = random.pick([
        [`from ${routes} import ${m} as ${m}_routes`, `${m}_routes.router`],
        [`from ${routes} import ${m}`, `(${m}.router)`],
        [`from ${routes} import ${m}`, `( ${m} . router )`],
        [`from ${routes}.${m} import router as ${m}_router`, `${m}_router`],
        [`import ${routes}.${m}`, `${routes}.${m}.router`],
        [`import ${routes}.${m} as ${m}_module`, `${m}_module.router`],
        [`from . import ${m}`, `${m}.router`],
      ]);
      const routers = /^ROUTERS(?:: [^=\n]+)? = [([]/m.exec(text);
      if (!routers || new RegExp(`\\b${m}\\b`).test(text)) return null;
      const open = routers.index + routers[0].length;
      return insertAt(insertAt(text, open, `${element}, `), afterHeader(text), `${importLine}\n`);
    },
  },
  {
    name: 'ROUTERS not a literal',
    modules: ['router'],
    refuses: true,
    apply: (text, random, _feature, draft) => {
      const match = /^(ROUTERS(?:: [^=\n]+)? = )(\([^()\n]*\))$/m.exec(text);
      if (!match) return null;
      const value = random.pick([`tuple(${match[2]})`, `${match[2]} + ()`, `(health.router)`, `list(${match[2]})`]);
      draft.refusal = { module: 'router', line: (final) => lineOf(final, /^ROUTERS\b/) };
      return text.slice(0, match.index) + match[1] + value + text.slice(match.index + match[0].length);
    },
  },
  {
    name: 'router module imported after ROUTERS',
    prewires: true,
    modules: ['router'],
    refuses: true,
    apply: (text, _random, feature, draft) => {
      if (!/^ROUTERS\b/m.test(text) || new RegExp(`\\b${feature.module}\\b`).test(text)) return null;
      const late = `from ${featureNames(feature).routes} import ${feature.module}  # noqa: E402`;
      draft.refusal = { module: 'router', line: (final) => lineOf(final, new RegExp(`^${late.replace(/[.]/g, '\\.')}`)) };
      return `${text.replace(/\n*$/, '\n')}\n${late}\n`;
    },
  },

  // --- tables.py --------------------------------------------------------------------------
  {
    name: '__all__ reshaped',
    modules: ['tables'],
    apply: (text, random) => {
      const match = /^(__all__(?:: [^=\n]+)? = )\[([^\]\n]*)\]$/m.exec(text);
      if (!match) return null;
      const elements = match[2].split(',').map((item) => item.trim()).filter(Boolean);
      const shapes = [
        `[${elements.map((item) => item.replace(/"/g, "'")).join(', ')}]`,
        `(${elements.join(', ')},)`,
        `[\n${elements.map((item) => `    ${item},`).join('\n')}\n]`,
        `[\n${elements.map((item) => `    ${item}`).join(',\n')}]`,
        `[${elements.join(', ')}, "Base"]`,
        `["Base", ${elements.join(', ')}]`,
        `[${elements.map((item) => item.replace(/^"meta/, '"meta" "')).join(', ')}]`,
        `[${elements.map((item) => item.replace(/a"$/, '\\x61"')).join(', ')}]`,
        `[  ${elements.join(' ,  ')}  ]`,
      ];
      return text.slice(0, match.index) + match[1] + random.pick(shapes) + text.slice(match.index + match[0].length);
    },
  },
  {
    name: 'table pre-wired in another spelling',
    prewires: true,
    modules: ['tables'],
    apply: (text, random, feature) => {
      const match = /^__all__(?:: [^=\n]+)? = [([]/m.exec(text);
      if (!match || new RegExp(`\\b${feature.module}\\b`).test(text)) return null;
      const open = match.index + match[0].length;
      const withElement = insertAt(text, open, `${escapedLiteral(feature.module, random)}, `);
      const importLine = random.pick([
        `from ${featureNames(feature).repositories} import ${feature.module}`,
        `from . import ${feature.module}`,
        `from ${featureNames(feature).repositories} import ${feature.module} as ${feature.module}_table`,
      ]);
      return insertAt(withElement, afterHeader(withElement), `${importLine}\n`);
    },
  },
  {
    name: '__all__ not a literal',
    modules: ['tables'],
    refuses: true,
    apply: (text, _random, _feature, draft) => {
      const match = /^(__all__ = )(\[[^\]\n]*\])$/m.exec(text);
      if (!match) return null;
      draft.refusal = { module: 'tables', line: (final) => lineOf(final, /^__all__\b/) };
      return text.slice(0, match.index) + match[1] + `sorted(${match[2]})` + text.slice(match.index + match[0].length);
    },
  },

  // --- factory.py ------------------------------------------------------------------------
  {
    name: 'user method in RequestFactory',
    modules: ['factory'],
    apply: (text, random) => {
      const classAt = text.indexOf('class RequestFactory');
      if (classAt === -1) return null;
      const method = random.pick([
        '\n    def settings_snapshot(self) -> dict[str, str]:\n        return {}\n',
        '\n    @staticmethod\n    def version() -> str:\n        """Hand-written."""\n        return "1"\n',
        '\n    @property\n  # a comment indented less than the method\n    def session(self) -> object:\n        return self._session\n',
        '\n    # a trailing note about the factory\n',
        '\n    class Nested:\n        pass\n',
        '\n    LIMIT = 10\n',
      ]);
      // At the end of the class: the end of the module, or before the next column-0 statement.
      const next = /^\S/m.exec(text.slice(classAt + 1));
      const at = next ? classAt + 1 + next.index : text.length;
      return insertAt(text, at, method.replace(/^\n/, '') + (next ? '\n\n' : ''));
    },
  },
  {
    name: 'RequestFactory reshaped',
    modules: ['factory'],
    apply: (text, random) => {
      if (!text.includes('\nclass RequestFactory:')) return null;
      return random.pick([
        () => text.replace('\nclass RequestFactory:', '\nclass RequestFactory(object):'),
        () => text.replace('\nclass RequestFactory:', '\nclass RequestFactory(  # the request scope\n    object,\n):'),
        () => text.replace(/def health_controller\(self\) -> HealthController:\n\s+return (.*)\n/, 'def health_controller(self) -> HealthController: return $1\n'),
        () => text.replace('\nclass RequestFactory:', '\nclass RequestFactory:  # built per request'),
        () => `${text.replace(/\n*$/, '\n')}\n\nRequestFactoryAlias = RequestFactory\n`,
      ])();
    },
  },
  {
    name: 'comment after the last method',
    modules: ['factory'],
    apply: (text, random) => (text.includes('class RequestFactory') ? `${text.replace(/\n*$/, '\n')}${random.pick(['', '    ', '        ', '\t'])}# end of factory\n` : null),
  },
  {
    name: 'factory decorated',
    modules: ['factory'],
    apply: (text) => (text.includes('\nclass RequestFactory') ? text.replace('\nclass RequestFactory', '\n@final\nclass RequestFactory').replace(/^(from dataclasses import dataclass)$/m, '$1\nfrom typing import final') : null),
  },
  {
    name: 'factory pre-wired in part',
    prewires: true,
    modules: ['factory'],
    apply: (text, random, feature) => {
      const { repositories, services, controllers } = featureNames(feature);
      const name = feature.className;
      if (new RegExp(`\\b${feature.module}\\b`).test(text)) return null;
      const choice = random.int(4);
      if (choice === 0) {
        const classAt = text.indexOf('class RequestFactory');
        const next = classAt === -1 ? null : /^\S/m.exec(text.slice(classAt + 1));
        if (classAt === -1) return null;
        const at = next ? classAt + 1 + next.index : text.length;
        const method = `    def ${feature.module}_repository(self) -> ${name}Repository:\n        return ${name}Repository(self._session)\n`;
        const withMethod = insertAt(text, at, `\n${method}${next ? '\n\n' : ''}`);
        return insertAt(withMethod, afterHeader(withMethod), `from ${repositories}.${feature.module} import ${name}Repository\n`);
      }
      if (choice === 1) return insertAt(text, afterHeader(text), `from ${services}.${feature.module} import ${name}Service\n`);
      if (choice === 2) return insertAt(text, afterHeader(text), `from ${controllers}.${feature.module} import (\n    ${name}Controller as ${name}Ctl,\n)\n`);
      return insertAt(text, afterHeader(text), `from ${services}.${feature.module} import I${name}Service as I${name}Service, ${name}Service\n`);
    },
  },
  {
    name: 'a name the methods use imported after the class',
    prewires: true,
    modules: ['factory'],
    refuses: true,
    apply: (text, random, feature, draft) => {
      if (!text.includes('class RequestFactory')) return null;
      const { repositories, controllers } = featureNames(feature);
      const late = random.chance(0.5)
        ? `from ${repositories}.${feature.module} import ${feature.className}Repository  # noqa: E402`
        : `from ${controllers}.${feature.module} import ${feature.className}Controller  # noqa: E402`;
      // Annotations are evaluated when the class body runs, unless `from __future__ import annotations`.
      draft.refusal = {
        module: 'factory',
        line: (final) => (/^from\s+__future__[\s\\(]+import[\s\\(]+annotations\b/m.test(final) ? null : lineOf(final, new RegExp(`^${late.split('  #')[0].replace(/[.]/g, '\\.')}`))),
      };
      return `${text.replace(/\n*$/, '\n')}\n${late}\n`;
    },
  },
  {
    name: 'unit_of_work removed',
    modules: ['factory'],
    refuses: true,
    apply: (text, _random, feature, draft) => {
      const method = /\n    def unit_of_work\(self\) -> IUnitOfWork:\n        return SqlAlchemyUnitOfWork\(self\._session\)\n/.exec(text);
      if (!method) return null;
      if (feature.writes) draft.refusal = { module: 'factory', line: (final) => lineOf(final, /^class RequestFactory/) };
      return text.slice(0, method.index) + text.slice(method.index + method[0].length);
    },
  },

  // --- errors.py ---------------------------------------------------------------------------
  {
    name: 'feature error pre-defined',
    prewires: true,
    modules: ['errors'],
    apply: (text, _random, feature) =>
      text.includes(`class ${feature.className}NotFoundError`) ? null : `${text}\n\nclass ${feature.className}NotFoundError(NotFoundError):\n    code = "custom"\n`,
  },
  {
    name: 'base error imported from elsewhere',
    modules: ['errors'],
    apply: (text, _random, feature) => {
      const conflict = /\n\nclass ConflictError\(AppError\):\n(?: {4}.*\n|\n(?= {4}))*/.exec(text);
      if (!conflict) return null;
      const without = text.slice(0, conflict.index) + '\n' + text.slice(conflict.index + conflict[0].length);
      return insertAt(without, afterHeader(without), `from ${feature.packageName}.domain.base_errors import ConflictError\n`);
    },
  },
  {
    name: 'base error removed',
    modules: ['errors'],
    refuses: true,
    apply: (text, _random, feature, draft) => {
      const conflict = /\n\nclass ConflictError\(AppError\):\n(?: {4}.*\n|\n(?= {4}))*/.exec(text);
      if (!conflict) return null;
      if (feature.conflicts) draft.refusal = { module: 'errors', line: (final) => final.replace(/(\r\n|\r|\n)$/, '').split('\n').length };
      return text.slice(0, conflict.index) + '\n' + text.slice(conflict.index + conflict[0].length);
    },
  },
];

/** Applies `count` random hand edits across the modules; returns the draft with names of what was applied. */
export function mutate(draft: CaseDraft, random: Random, feature: FuzzFeature, count: number): CaseDraft {
  const apply = (mutation: Mutation): boolean => {
    const module = random.pick(mutation.modules);
    const edited = mutation.apply(draft.texts[module], random, feature, draft, module);
    if (edited === null || edited === draft.texts[module]) return false;
    draft.texts[module] = edited;
    draft.applied.push(`${module}: ${mutation.name}`);
    if (mutation.prewires) draft.prewired = true;
    return true;
  };
  const regular = MUTATIONS.filter((mutation) => !mutation.refuses);
  for (let attempt = 0, applied = 0; applied < count && attempt < count * 6; attempt++) if (apply(random.pick(regular))) applied++;
  // Last, so that no later edit undoes what makes the refusal due.
  if (random.chance(0.25)) apply(random.pick(MUTATIONS.filter((mutation) => mutation.refuses)));
  for (const module of MODULE_KINDS) {
    if (random.chance(0.12)) draft.eol[module] = random.pick(['\r\n', '\r'] as const);
    if (random.chance(0.08)) draft.encoding[module] = random.pick(['utf-8-sig', 'latin-1'] as const);
  }
  return draft;
}

/** The module's bytes on disk: line endings, BOM or latin-1 cookie applied. */
export function finish(draft: CaseDraft, module: ModuleKind): Buffer {
  let text = draft.texts[module];
  const encoding = draft.encoding[module];
  if (encoding === 'latin-1') {
    // Only when the text fits latin-1; a cookie on line 1 (line numbers below shift by one).
    if (![...text].every((char) => char.charCodeAt(0) < 256)) draft.encoding[module] = 'utf-8';
    else text = `# -*- coding: latin-1 -*-\n# Société générale\n${text}`;
  }
  text = text.replace(/\n/g, draft.eol[module]);
  if (draft.encoding[module] === 'latin-1') return Buffer.from(text, 'latin1');
  if (draft.encoding[module] === 'utf-8-sig') return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf-8')]);
  return Buffer.from(text, 'utf-8');
}

/** The refusal due on the finished case, with its line, or null. */
export function dueRefusal(draft: CaseDraft): { module: ModuleKind; line: number } | null {
  if (draft.refusal === null) return null;
  const { module } = draft.refusal;
  const prefix = draft.encoding[module] === 'latin-1' ? '# -*- coding: latin-1 -*-\n# Société générale\n' : '';
  const line = draft.refusal.line(prefix + draft.texts[module]);
  return line === null ? null : { module, line };
}
