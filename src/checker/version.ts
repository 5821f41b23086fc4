import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/** Version of the installed layered package: cached results of another version are not reused. */
export function layeredVersion(): string {
  for (const candidate of [path.join(__dirname, '..', '..', 'package.json'), path.join(__dirname, '..', '..', '..', 'package.json')]) {
    try {
      const pkg = JSON.parse(readFileSync(candidate, 'utf-8')) as { name?: string; version?: string };
      if (pkg.name === 'layered' && pkg.version) return pkg.version;
    } catch {
      // not this one
    }
  }
  return '0.0.0';
}
