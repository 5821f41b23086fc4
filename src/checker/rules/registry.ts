/** Every rule, in id order. Adding a rule is one file and one line here. */
import { lay001 } from './lay001-domain-without-http';
import { lay002 } from './lay002-services-independent';
import { lay003 } from './lay003-sqlalchemy-confined';
import { lay004 } from './lay004-repositories-return-domain-models';
import { lay005 } from './lay005-repositories-call-no-services';
import { lay006 } from './lay006-controllers-without-database';
import { lay007 } from './lay007-routes-stay-thin';
import { lay008 } from './lay008-factory-without-logic';
import { lay009 } from './lay009-models-are-pure-data';
import { lay010 } from './lay010-protocols-without-inheritance';
import { lay011 } from './lay011-http-status-in-error-handlers';
import { lay012 } from './lay012-domain-errors-without-http';
import { lay013 } from './lay013-environment-read-in-config';
import { lay014 } from './lay014-structlog-loggers';
import { lay015 } from './lay015-controllers-run-services-concurrently';
import { lay016 } from './lay016-no-layer-cycles';
import { lay017 } from './lay017-no-indirect-layer-violations';
import type { Rule } from '../types';

export const RULES: readonly Rule[] = [lay001, lay002, lay003, lay004, lay005, lay006, lay007, lay008, lay009, lay010, lay011, lay012, lay013, lay014, lay015, lay016, lay017];

/** Findings about the check itself rather than the architecture. */
export const META_RULES = {
  unchecked: { id: 'LAY000', title: 'File could not be checked', hint: 'Fix the syntax or encoding error (the rest of the project was still checked).' },
  unusedIgnore: { id: 'LAY100', title: 'Ignore matches no finding', hint: 'Remove the ignore: the finding it was for is gone.' },
  ignoreWithoutReason: { id: 'LAY101', title: 'Ignore without a reason', hint: 'Say why after the bracket: `# layered: ignore[LAY003] <reason>`.' },
} as const;

export const RULE_IDS: readonly string[] = RULES.map((rule) => rule.id);

export function ruleById(id: string): Rule | undefined {
  return RULES.find((rule) => rule.id === id);
}
