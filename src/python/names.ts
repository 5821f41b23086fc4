/** Python's reserved words (3.11+), including the soft keywords that cannot name a module safely. */
const PYTHON_KEYWORDS = new Set([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue',
  'def', 'del', 'elif', 'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in',
  'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try', 'while', 'with', 'yield',
  'match', 'case', 'type', '_',
]);

/**
 * Top-level modules a generated app imports. A package with one of these names would shadow it
 * and break the app at import time.
 */
const SHADOWED_MODULES = new Set([
  'fastapi', 'starlette', 'sqlalchemy', 'pydantic', 'structlog', 'alembic', 'uvicorn', 'httpx',
  'pytest', 'aiosqlite', 'asyncpg', 'mypy', 'ruff', 'anyio', 'typing', 'asyncio', 'dataclasses',
  'logging', 'os', 'sys', 'json', 'uuid', 'decimal', 'datetime', 'enum', 'collections', 'contextlib',
  'http', 'email', 'pathlib', 'types', 'abc', 're', 'time', 'secrets', 'test', 'tests', 'src',
]);

/** Returns why `name` cannot be a Python package name, or null when it can. */
export function invalidPythonPackageReason(name: string): string | null {
  if (name === '') return 'it is empty';
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    return 'a Python package name may hold only letters, digits and underscores, and may not start with a digit';
  }
  if (name !== name.toLowerCase()) return 'Python package names are lower case (PEP 8)';
  if (PYTHON_KEYWORDS.has(name)) return `"${name}" is a Python keyword`;
  if (SHADOWED_MODULES.has(name)) return `"${name}" would shadow the module of the same name that the app imports`;
  return null;
}

/** `my-api` -> `my_api`, `MyApi` -> `my_api`. */
export function toSnakeCase(value: string): string {
  return value
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[-\s.]+/g, '_')
    .toLowerCase();
}

/** `recipe_book` -> `RecipeBook`. */
export function toPascalCase(value: string): string {
  return toSnakeCase(value)
    .split('_')
    .filter(Boolean)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join('');
}
