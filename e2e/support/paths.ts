import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
// One folder per checkout, so two clones can run their suites at once.
const checkout = createHash('sha256').update(REPO_ROOT).digest('hex').slice(0, 8);
/** Everything an e2e run creates lives under here, so the Python root's bind mount sees it. */
export const E2E_TMP = process.env.LAYERED_E2E_TMP ?? path.join(tmpdir(), `layered-e2e-${checkout}`);
export const NX_VERSION = '24.0.6';
