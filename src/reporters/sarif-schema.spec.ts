import { rmSync } from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, describe, expect, it } from 'vitest';
import { checkProject } from '../checker/check';
import { FIXTURES, fixtureProject } from '../checker/test-utils/fixtures';
import { sarifReport } from './sarif';

// The OASIS SARIF 2.1.0 schema (final, rtm.5) as shipped by Microsoft's SARIF matchers package.
const schema = require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json') as Record<string, unknown>;

function validator() {
  // The schema's language pattern is not a valid unicode-mode regular expression.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  // Written for draft-04 (`id`); ajv reads the same schema under draft-07's `$id`.
  const { $schema: _draft, id, ...body } = schema;
  return ajv.compile({ $id: String(id), ...body });
}

describe('SARIF report against the SARIF 2.1.0 JSON schema', () => {
  const violations = fixtureProject(...['LAY003', 'LAY005', 'LAY008', 'LAY015', 'LAY016'].map((rule) => path.join(FIXTURES, 'violations', rule)));
  const clean = fixtureProject();
  afterAll(() => [violations, clean].forEach((root) => rmSync(root, { recursive: true, force: true })));

  it.each([
    ['findings', violations],
    ['no findings', clean],
  ])('is valid with %s', (_label, root) => {
    const result = checkProject(root, { cacheDirectory: null });
    const document = JSON.parse(sarifReport({ result, pathPrefix: 'apps/api/', color: false, toolVersion: '0.1.0' }));
    const validate = validator();

    const valid = validate(document);

    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('rejects a document that breaks the schema, so the check can fail', () => {
    const result = checkProject(violations, { cacheDirectory: null });
    const document = JSON.parse(sarifReport({ result, pathPrefix: 'apps/api/', color: false, toolVersion: '0.1.0' }));
    document.runs[0].results[0].locations[0].physicalLocation.region.startLine = 0;

    expect(validator()(document)).toBe(false);
  });
});
