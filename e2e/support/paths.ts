import { tmpdir } from 'node:os';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
/** Everything an e2e run creates lives under here, so the Python root's bind mount sees it. */
export const E2E_TMP = process.env.LAYERED_E2E_TMP ?? path.join(tmpdir(), 'layered-e2e');
export const NX_VERSION = '24.0.6';
