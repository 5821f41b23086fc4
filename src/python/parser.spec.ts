import { describe, expect, it } from 'vitest';
import { firstSyntaxError, parsePython } from './parser';

describe('parsePython', () => {
  it('parses valid Python without errors', async () => {
    const tree = await parsePython('from . import x\nimport a.b as c\n');
    expect(tree.rootNode.hasError).toBe(false);
    expect(tree.rootNode.namedChildren.map((n) => n?.type)).toEqual(['import_from_statement', 'import_statement']);
  });

  it('points at the first syntax error', async () => {
    const tree = await parsePython('x = 1\ndef f(:\n    pass\n');
    const error = firstSyntaxError(tree.rootNode);
    expect(tree.rootNode.hasError).toBe(true);
    expect(error?.startPosition.row).toBe(1);
  });
});
