import { compareMembers, compareModules } from '../../python/edit';
import { parsePython, SyntaxNode } from '../../python/parser';

/** Where a name comes from: `from module import name`, or `import module` when name is absent. */
export interface ImportSource {
  module: string;
  name?: string;
}

/** The line templates put where the import block goes. */
export const IMPORTS_PLACEHOLDER = '__IMPORTS__';

const STDLIB = new Set(['asyncio', 'json', 'math', 'unicodedata', 'collections.abc', 'contextlib', 'dataclasses', 'datetime', 'decimal', 'typing', 'uuid']);

// An identifier in one of these places names something other than a module-level binding.
function isBindingOrMember(node: SyntaxNode): boolean {
  const parent = node.parent;
  if (!parent) return false;
  const is = (field: string): boolean => parent.childForFieldName(field)?.id === node.id;
  switch (parent.type) {
    case 'attribute':
      return is('attribute');
    case 'assignment':
    case 'for_statement':
    case 'for_in_clause':
      return is('left');
    case 'keyword_argument':
    case 'default_parameter':
    case 'typed_default_parameter':
    case 'function_definition':
    case 'class_definition':
      return is('name');
    case 'parameters':
    case 'typed_parameter':
    case 'list_splat_pattern':
    case 'dictionary_splat_pattern':
      return true;
    default:
      return false;
  }
}

function usedNames(root: SyntaxNode): Set<string> {
  const names = new Set<string>();
  for (const node of root.descendantsOfType('identifier')) {
    if (node && !isBindingOrMember(node)) names.add(node.text);
  }
  return names;
}

function definedNames(root: SyntaxNode): Set<string> {
  const names = new Set<string>();
  for (const statement of root.namedChildren) {
    if (!statement) continue;
    const definition = statement.type === 'decorated_definition' ? statement.childForFieldName('definition') : statement;
    const name = definition?.childForFieldName('name');
    if (name && (definition?.type === 'class_definition' || definition?.type === 'function_definition')) names.add(name.text);
    const assignment = statement.type === 'expression_statement' ? statement.namedChildren[0] : null;
    const left = assignment?.type === 'assignment' ? assignment.childForFieldName('left') : null;
    if (left?.type === 'identifier') names.add(left.text);
  }
  return names;
}

function section(module: string, firstParty: string): number {
  if (module.startsWith('.')) return 3;
  if (module === firstParty || module.startsWith(`${firstParty}.`)) return 2;
  return STDLIB.has(module) ? 0 : 1;
}

/** The import block ruff's isort would write for these imports (sections, order, one line each). */
export function renderImportBlock(imports: ImportSource[], firstParty: string): string {
  const sections: string[][] = [[], [], [], []];
  const straight = [...new Set(imports.filter((i) => !i.name).map((i) => i.module))].sort(compareModules);
  for (const module of straight) sections[section(module, firstParty)].push(`import ${module}`);
  const fromModules = new Map<string, Set<string>>();
  for (const { module, name } of imports) {
    if (!name) continue;
    if (!fromModules.has(module)) fromModules.set(module, new Set());
    fromModules.get(module)!.add(name);
  }
  for (const module of [...fromModules.keys()].sort(compareModules)) {
    const names = [...fromModules.get(module)!].sort(compareMembers);
    sections[section(module, firstParty)].push(`from ${module} import ${names.join(', ')}`);
  }
  return sections
    .filter((lines) => lines.length > 0)
    .map((lines) => lines.join('\n'))
    .join('\n\n');
}

/**
 * Replaces the placeholder line with exactly the imports the module uses, found by parsing it:
 * templates with optional parts then never carry an unused or a missing import. Scopes are not
 * tracked, so templates must not name locals after the names in `known`.
 */
export async function resolveImports(source: string, known: Map<string, ImportSource>, firstParty: string, file: string): Promise<string> {
  if (!source.includes(IMPORTS_PLACEHOLDER)) return source;
  const tree = await parsePython(source);
  let used: string[];
  try {
    if (tree.rootNode.hasError) throw new Error(`layered:feature rendered ${file} as invalid Python; this is a bug in the plugin's templates.`);
    const defined = definedNames(tree.rootNode);
    used = [...usedNames(tree.rootNode)].filter((name) => name !== IMPORTS_PLACEHOLDER && !defined.has(name));
  } finally {
    tree.delete();
  }
  const imports = used.flatMap((name) => {
    const from = known.get(name);
    return from ? [from] : [];
  });
  return source.replace(`${IMPORTS_PLACEHOLDER}\n`, imports.length > 0 ? `${renderImportBlock(imports, firstParty)}\n` : '');
}
