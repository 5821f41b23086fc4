#!/usr/bin/env node
// Writes a deterministic synthetic layered FastAPI codebase: `node bench/generate-corpus.mjs <dir> <files>`.
// Same arguments, same bytes: a seeded generator, no clock, no randomness from the system.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const LAYERS = ['models', 'services', 'repositories', 'controllers', 'routes', 'schemas'];
const PER_GROUP = 50; // features per sub-package, so folders stay a realistic size
const PACKAGE = 'shop';

function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pascal = (name) => name.split('_').map((part) => part[0].toUpperCase() + part.slice(1)).join('');

function layerFolder(layer) {
  return layer === 'routes' || layer === 'schemas' ? `http/${layer}` : `domain/${layer}`;
}

function modulePath(layer, feature) {
  return `${PACKAGE}.${layerFolder(layer).replace('/', '.')}.g${Math.floor(feature / PER_GROUP)}.f${feature}`;
}

function filePath(layer, feature) {
  return `src/${PACKAGE}/${layerFolder(layer)}/g${Math.floor(feature / PER_GROUP)}/f${feature}.py`;
}

function docstring(rand, what) {
  const lines = [`"""${what}.`, ''];
  const count = 2 + Math.floor(rand() * 4);
  for (let i = 0; i < count; i++) lines.push(`Line ${i} of the explanation; mentions import os and from sqlalchemy import text as prose.`);
  lines.push('"""', '');
  return lines;
}

function body(rand, name, methods) {
  const lines = [];
  for (let m = 0; m < methods; m++) {
    lines.push(`    async def step_${m}(self, value: int) -> int:`);
    lines.push(`        # step ${m} of ${name}: keeps the arithmetic honest`);
    lines.push(`        result = value * ${1 + Math.floor(rand() * 9)} + ${m}`);
    if (rand() < 0.3) lines.push(`        log.debug("${name.toLowerCase()}_step", step=${m}, result=result)`);
    lines.push('        return result', '');
  }
  return lines;
}

function imports(rand, feature, features, layer, count) {
  const lines = [];
  for (let i = 0; i < count; i++) {
    const other = Math.floor(rand() * features);
    lines.push(`from ${modulePath(layer, other)} import ${pascal(`${layer}_${other}`)}${i % 3 === 0 ? ` as ${pascal(`${layer}_${other}`)}${i}` : ''}`);
  }
  return lines;
}

function source(layer, feature, features, rand) {
  const name = pascal(`${layer}_${feature}`);
  const lines = [...docstring(rand, `${layer} of feature ${feature}`)];
  const internal = 2 + Math.floor(rand() * 5);
  switch (layer) {
    case 'models':
      lines.push('from dataclasses import dataclass', 'from typing import Literal', '');
      lines.push('', '@dataclass(frozen=True, slots=True)', `class ${name}:`, '    id: int', '    name: str', '    kind: Literal["a", "b"]', '');
      return lines;
    case 'repositories':
      lines.push('from typing import Protocol, runtime_checkable', '', 'import structlog', 'from sqlalchemy import select', 'from sqlalchemy.ext.asyncio import AsyncSession', '');
      lines.push(`from ${modulePath('models', feature)} import ${pascal(`models_${feature}`)}`, ...imports(rand, feature, features, 'models', internal - 1), '');
      lines.push('log = structlog.get_logger(module=__name__)', '', '', '@runtime_checkable', `class I${name}(Protocol):`, `    async def get(self, key: int) -> ${pascal(`models_${feature}`)}: ...`, '', '');
      lines.push(`class ${name}:`, '    def __init__(self, session: AsyncSession) -> None:', '        self._session = session', '');
      lines.push(`    async def get(self, key: int) -> ${pascal(`models_${feature}`)}:`, '        await self._session.execute(select(1))', `        return ${pascal(`models_${feature}`)}(id=key, name="x", kind="a")`, '');
      lines.push(...body(rand, name, 2 + Math.floor(rand() * 3)));
      return lines;
    case 'services':
      lines.push('import asyncio', 'from collections.abc import Sequence', 'from typing import Protocol, runtime_checkable', '', 'import structlog', '');
      lines.push(`from ${modulePath('repositories', feature)} import I${pascal(`repositories_${feature}`)}`, ...imports(rand, feature, features, 'models', internal), '');
      // A few services reach for the ORM: real codebases have violations to report.
      if (feature % 97 === 13) lines.push('from sqlalchemy import text', '');
      lines.push('log = structlog.get_logger(module=__name__)', '', '', '@runtime_checkable', `class I${name}(Protocol):`, '    async def run(self, value: int) -> int: ...', '', '');
      lines.push(`class ${name}:`, `    def __init__(self, repository: I${pascal(`repositories_${feature}`)}) -> None:`, '        self._repository = repository', '');
      lines.push(...body(rand, name, 3 + Math.floor(rand() * 4)));
      return lines;
    case 'controllers':
      lines.push('import asyncio', '', `from ${modulePath('services', feature)} import I${pascal(`services_${feature}`)}`);
      lines.push(...imports(rand, feature, features, 'models', internal), '', '');
      lines.push(`class ${name}:`, `    def __init__(self, service: I${pascal(`services_${feature}`)}) -> None:`, '        self._service = service', '');
      lines.push('    async def handle(self, value: int) -> int:', '        async with asyncio.TaskGroup() as group:', '            first = group.create_task(self._service.run(value))', '            second = group.create_task(self._service.run(value + 1))', '        return first.result() + second.result()', '');
      return lines;
    case 'schemas':
      lines.push('from pydantic import BaseModel, ConfigDict', '', '', `class ${name}(BaseModel):`, '    model_config = ConfigDict(from_attributes=True)', '    id: int', '    name: str', '');
      return lines;
    default:
      lines.push('from fastapi import APIRouter', '', `from ${PACKAGE}.http.dependencies import Factory`, `from ${modulePath('schemas', feature)} import ${pascal(`schemas_${feature}`)}`, '');
      lines.push(`router = APIRouter(prefix="/f${feature}")`, '', '', `@router.get("/{key}", status_code=200)`, `async def read(key: int, factory: Factory) -> ${pascal(`schemas_${feature}`)}:`);
      lines.push('    """GET one item (docstring: from sqlalchemy import select is not an import)."""', `    return ${pascal(`schemas_${feature}`)}(id=key, name=str(key))`, '');
      return lines;
  }
}

const CORE = {
  'pyproject.toml': `[project]\nname = "shop"\nversion = "0.1.0"\n\n[tool.layered]\npackage = "${PACKAGE}"\n`,
  [`src/${PACKAGE}/__init__.py`]: '"""Synthetic shop."""\n',
  [`src/${PACKAGE}/config.py`]: 'import os\nfrom dataclasses import dataclass\n\n\n@dataclass(frozen=True, slots=True)\nclass AppConfig:\n    url: str\n\n    @classmethod\n    def from_env(cls) -> "AppConfig":\n        return cls(url=os.environ.get("SHOP_URL", ""))\n',
  [`src/${PACKAGE}/domain/__init__.py`]: '',
  [`src/${PACKAGE}/domain/errors.py`]: 'class AppError(Exception):\n    code = "app_error"\n',
  [`src/${PACKAGE}/domain/factory.py`]: `from sqlalchemy.ext.asyncio import AsyncSession\n\nfrom ${PACKAGE}.config import AppConfig\n\n\nclass RequestFactory:\n    def __init__(self, config: AppConfig, session: AsyncSession) -> None:\n        self.config = config\n        self.session = session\n`,
  [`src/${PACKAGE}/http/__init__.py`]: '',
  [`src/${PACKAGE}/http/dependencies.py`]: `from typing import Annotated\n\nfrom fastapi import Depends\n\nfrom ${PACKAGE}.domain.factory import RequestFactory\n\n\ndef get_factory() -> RequestFactory:\n    raise NotImplementedError\n\n\nFactory = Annotated[RequestFactory, Depends(get_factory)]\n`,
};

/** Writes `files` Python files (plus pyproject.toml) under `root`; returns the relative paths of the feature files. */
export function generateCorpus(root, files) {
  rmSync(root, { recursive: true, force: true });
  const written = [];
  const write = (relative, text) => {
    mkdirSync(dirname(join(root, relative)), { recursive: true });
    writeFileSync(join(root, relative), text);
  };
  for (const [relative, text] of Object.entries(CORE)) write(relative, text);
  let budget = files - (Object.keys(CORE).length - 1);
  const features = Math.max(1, Math.floor(budget / (LAYERS.length + 0.2)));
  const packages = new Set();
  for (let feature = 0; budget > 0; feature++) {
    const rand = random(feature * 7919 + 17);
    for (const layer of LAYERS) {
      if (budget <= 0) break;
      const folder = dirname(filePath(layer, feature));
      for (const init of [dirname(folder), folder]) {
        if (packages.has(init) || budget <= 0) continue;
        packages.add(init);
        write(`${init}/__init__.py`, '');
        budget--;
      }
      if (budget <= 0) break;
      const relative = filePath(layer, feature);
      write(relative, `${source(layer, feature, features, rand).join('\n')}\n`);
      written.push(relative);
      budget--;
    }
  }
  return written;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const [root, count] = process.argv.slice(2);
  if (!root || !count) {
    console.error('usage: node bench/generate-corpus.mjs <dir> <number-of-python-files>');
    process.exit(2);
  }
  const written = generateCorpus(root, Number(count));
  console.log(`wrote ${written.length} feature modules under ${root}`);
}
