import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Language, Node, Parser, Tree as SyntaxTree } from 'web-tree-sitter';

export type { Node as SyntaxNode, SyntaxTree };

let loading: Promise<Parser> | undefined;

// The packed plugin ships the grammar in wasm/; from source it comes from the npm package.
function grammarPath(): string {
  const packaged = path.join(__dirname, '..', '..', 'wasm', 'tree-sitter-python.wasm');
  if (existsSync(packaged)) return packaged;
  return require.resolve('tree-sitter-python/tree-sitter-python.wasm');
}

/** A tree-sitter parser for Python, loaded once per process. */
export function pythonParser(): Promise<Parser> {
  loading ??= (async () => {
    await Parser.init();
    const parser = new Parser();
    parser.setLanguage(await Language.load(grammarPath()));
    return parser;
  })();
  return loading;
}

/** Parses Python source; the tree's `rootNode.hasError` tells whether it is valid. */
export async function parsePython(source: string): Promise<SyntaxTree> {
  const tree = (await pythonParser()).parse(source);
  if (!tree) throw new Error('tree-sitter returned no tree for the Python source');
  return tree;
}

/** The first node of the tree that is an error or a missing token, for error messages. */
export function firstSyntaxError(node: Node): Node | null {
  if (node.isError || node.isMissing) return node;
  if (!node.hasError) return null;
  for (const child of node.children) {
    if (!child) continue;
    const found = firstSyntaxError(child);
    if (found) return found;
  }
  return node;
}
