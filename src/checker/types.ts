import type { LayeredConfig } from './config';
import type { FileFacts } from './scan/facts';
import type { LayerLocator, LayerName } from './layers';
import type { ImportedName, ImportStatement } from '../python/imports';

export type Severity = 'error' | 'warning' | 'off';

/** One problem found in one place. Plain data: reporters decide how it looks. */
export interface Finding {
  rule: string;
  severity: 'error' | 'warning';
  /** Path relative to the project root, `/`-separated. */
  path: string;
  /** 1-based line and column. */
  line: number;
  col: number;
  message: string;
  hint: string;
  /** Identity without positions, so a baseline survives unrelated edits above the finding. */
  key: string;
  /** For import findings between layers: the edge, so the graph can mark it. */
  edge?: { from: string; to: string };
}

/** A rule's own output, before severity, hint and ignores are applied. */
export interface RawFinding {
  path: string;
  line: number;
  col: number;
  message: string;
  key: string;
  hint?: string;
  edge?: { from: string; to: string };
}

export interface ResolvedImport {
  statement: ImportStatement;
  /** The imported name of a `from` import, or the alias of an `import`. */
  name: ImportedName;
  /** Dotted module the import depends on: a submodule for `from pkg import module`, else the module. */
  target: string;
  /** Whether `target` is a module or (namespace) package of this project. */
  internal: boolean;
  /** Top-level name of an external import (`sqlalchemy`), else null. */
  external: string | null;
  /** Layer of an internal target (set by `assignLayers`). */
  layer: LayerName | null;
  line: number;
  /** 1-based. */
  col: number;
}

export interface ModuleInfo {
  name: string;
  /** Relative to the project root, `/`-separated. */
  path: string;
  isPackage: boolean;
  /** Part of the app package (the configured `package`). */
  inPackage: boolean;
  /** Set by `assignLayers`. */
  layer: LayerName | null;
  facts: FileFacts;
  imports: ResolvedImport[];
  /** A file no import can reach (its name is not a Python identifier, e.g. a migration): only its imports are checked. */
  script?: true;
}

export interface ProjectModel {
  root: string;
  config: LayeredConfig;
  locator: LayerLocator;
  /** Every checked module, sorted by path. */
  modules: ModuleInfo[];
  byName: Map<string, ModuleInfo>;
  /** Module names of the project, including namespace packages (folders without __init__.py). */
  moduleNames: Set<string>;
  /** When set, collects the modules whose imports were followed to find a re-exported class. */
  reexportOwners?: Set<string>;
}

export interface Rule {
  id: string;
  title: string;
  /** The seed line the rule enforces. */
  rationale: string;
  /** How to fix a finding, in one sentence. */
  hint: string;
  defaultSeverity: 'error' | 'warning';
  check(project: ProjectModel): RawFinding[];
}
