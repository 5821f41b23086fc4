import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
// One folder per checkout, so two clones can run their suites at once.
const checkout = createHash('sha256').update(REPO_ROOT).digest('hex').slice(0, 8);
/** Everything an e2e run creates lives under here, so the Python root's bind mount sees it. */
export const E2E_TMP = process.env.LAYERED_E2E_TMP ?? path.join(tmpdir(), `layered-e2e-${checkout}`);
export const NX_VERSION = '24.0.6';

/** Downloads kept between runs: uv itself, uv's package cache, the Debian root. */
export const E2E_CACHE = process.env.LAYERED_E2E_CACHE ?? '/var/cache/layered-e2e';
/** uv from PyPI, installed by scripts/setup.sh into a cached tool environment. */
export const UV_VERSION = readFileSync(path.join(REPO_ROOT, 'scripts/uv-version'), 'utf-8').trim();
export const UV_BIN_DIR = path.join(E2E_CACHE, `uv-${UV_VERSION}`, 'bin');
/** What every e2e process gets so that `uv` is found and never downloads a Python build. */
export const UV_ENV = {
  PATH: `${UV_BIN_DIR}${path.delimiter}${process.env.PATH ?? ''}`,
  UV_CACHE_DIR: path.join(E2E_CACHE, 'uv-cache'),
  UV_PYTHON_DOWNLOADS: 'never',
  UV_NO_PROGRESS: '1',
};
