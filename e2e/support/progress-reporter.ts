import * as path from 'node:path';
import type { Reporter, TestCase, TestModule } from 'vitest/node';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const MARK = { passed: '✓', failed: '✗', skipped: '-', pending: '…' } as const;

/**
 * One line when each e2e file starts, one per test, one when the file ends. The default
 * reporter shows nothing for minutes when its output is not a terminal (CI, `npm test | tee`).
 */
export default class ProgressReporter implements Reporter {
  private readonly started = new Map<string, number>();

  private write(line: string): void {
    process.stdout.write(`${line}\n`);
  }

  onTestModuleStart(module: TestModule): void {
    this.started.set(module.moduleId, Date.now());
    this.write(`[e2e] start ${path.basename(module.moduleId)}`);
  }

  onTestCaseResult(test: TestCase): void {
    const result = test.result();
    const duration = test.diagnostic()?.duration;
    this.write(`[e2e]   ${MARK[result.state]} ${test.fullName}${duration === undefined ? '' : ` (${seconds(duration)})`}`);
  }

  onTestModuleEnd(module: TestModule): void {
    const counts = { passed: 0, failed: 0, skipped: 0, pending: 0 };
    for (const test of module.children.allTests()) counts[test.result().state] += 1;
    // A file that failed outside its tests (an import, a beforeAll) counts as one failure.
    if (!module.ok() && counts.failed === 0) counts.failed = 1;
    const started = this.started.get(module.moduleId) ?? Date.now();
    const skipped = counts.skipped > 0 ? `, ${counts.skipped} skipped` : '';
    this.write(`[e2e] end ${path.basename(module.moduleId)}: ${counts.passed} passed, ${counts.failed} failed${skipped} (${seconds(Date.now() - started)})`);
  }
}
