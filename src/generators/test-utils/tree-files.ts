import type { Tree } from '@nx/devkit';

/** Every file below `root` in the tree (path relative to `root` → text), for before/after comparisons. */
export function treeFiles(tree: Tree, root: string): Map<string, string> {
  const found = new Map<string, string>();
  const visit = (dir: string): void => {
    for (const child of tree.children(dir)) {
      const path = `${dir}/${child}`;
      if (tree.isFile(path)) found.set(path.slice(root.length + 1), tree.read(path, 'utf-8')!);
      else visit(path);
    }
  };
  visit(root);
  return found;
}
