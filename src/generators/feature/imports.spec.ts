import { describe, expect, it } from 'vitest';
import { lintPython } from '../../python/format';
import { ImportSource, renderImportBlock, resolveImports } from './imports';

const KNOWN = new Map<string, ImportSource>([
  ['asyncio', { module: 'asyncio' }],
  ['structlog', { module: 'structlog' }],
  ['dataclass', { module: 'dataclasses', name: 'dataclass' }],
  ['UTC', { module: 'datetime', name: 'UTC' }],
  ['datetime', { module: 'datetime', name: 'datetime' }],
  ['status', { module: 'fastapi', name: 'status' }],
  ['APIRouter', { module: 'fastapi', name: 'APIRouter' }],
  ['Recipe', { module: 'api.domain.models.recipe', name: 'Recipe' }],
  ['RecipeId', { module: 'api.domain.models.recipe', name: 'RecipeId' }],
  ['sample_recipe', { module: '.recipe_samples', name: 'sample_recipe' }],
]);
const ISORT = { 'line-length': 88, lint: { select: ['I', 'F401'], isort: { 'known-first-party': ['api'] } } };

describe('resolveImports', () => {
  it('imports exactly the names the module uses, in ruff isort order', async () => {
    const source = [
      '"""Doc."""',
      '',
      '__IMPORTS__',
      '',
      '',
      'async def f(recipe: Recipe) -> RecipeId:',
      '    await asyncio.sleep(0)',
      '    structlog.get_logger().info("x", at=datetime.now(UTC), sample=sample_recipe)',
      '    return recipe.id',
      '',
    ].join('\n');

    const resolved = await resolveImports(source, KNOWN, 'api', 'f.py');

    expect(resolved.split('\n\n\n')[0]).toBe(
      [
        '"""Doc."""',
        '',
        'import asyncio',
        'from datetime import UTC, datetime',
        '',
        'import structlog',
        '',
        'from api.domain.models.recipe import Recipe, RecipeId',
        '',
        'from .recipe_samples import sample_recipe',
      ].join('\n'),
    );
    expect(lintPython(resolved, ISORT)).toEqual([]);
  });

  it('ignores attribute names, keyword names, parameters and names the module defines', async () => {
    const source = [
      '__IMPORTS__',
      '',
      '',
      '@dataclass',
      'class Recipe:',
      '    status: str',
      '',
      '',
      'def f(status: str, dataclass: int = 1) -> object:',
      '    return Recipe(status=str(dataclass)).status',
      '',
    ].join('\n');

    const resolved = await resolveImports(source, KNOWN, 'api', 'f.py');

    expect(resolved.split('\n\n\n')[0]).toBe('from dataclasses import dataclass');
  });

  it('renders an empty block as nothing', () => {
    expect(renderImportBlock([], 'api')).toBe('');
  });
});
