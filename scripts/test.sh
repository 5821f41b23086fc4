#!/usr/bin/env bash
# The test suite: typecheck, unit tests, then the e2e suite against a packed plugin in a
# fresh Nx workspace with a real Python and PostgreSQL. Ends with one "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
mkdir -p .vitest
rm -f .vitest/*.json
status=0
npx tsc -p tsconfig.json --noEmit || status=1
npx vitest run --reporter=default --reporter=json --outputFile.json=.vitest/unit.json || status=1
npx vitest run --config e2e/vitest.config.mts --reporter=default --reporter=./e2e/support/progress-reporter.ts --reporter=json --outputFile.json=.vitest/e2e.json || status=1
node -e '
  const fs = require("fs");
  let passed = 0, failed = 0;
  for (const file of ["unit", "e2e"]) {
    const path = `.vitest/${file}.json`;
    if (!fs.existsSync(path)) { failed += 1; console.error(`${path} missing: that suite did not run`); continue; }
    const r = JSON.parse(fs.readFileSync(path, "utf-8"));
    passed += r.numPassedTests; failed += r.numFailedTests + (r.numFailedTestSuites || 0);
  }
  console.log(`tests: ${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
' || status=1
exit $status
