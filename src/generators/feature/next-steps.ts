/** A migration file that --force rewrote: databases that applied its old version need it re-applied. */
export interface RewrittenMigration {
  file: string;
  revision: string;
  /** The revision it follows; null when it is the first. */
  downRevision: string | null;
}

export interface NextStepsInput {
  projectName: string;
  label: string;
  pluralModule: string;
  unchanged: boolean;
  rewrittenMigration: RewrittenMigration | null;
}

/** What the user runs after the feature generator, as lines that work when pasted. */
export function nextSteps(input: NextStepsInput): string[] {
  const { projectName: project, pluralModule: table } = input;
  if (input.unchanged) return [`layered:feature: ${input.label} is already generated and wired into ${project}; nothing changed.`];
  const migration = input.rewrittenMigration;
  if (migration === null) {
    return [`layered:feature: next, run \`nx run ${project}:migrate\` to create the ${table} table, and \`nx run ${project}:test\`.`];
  }
  return [
    `layered:feature: --force rewrote ${migration.file} (revision ${migration.revision}). \`migrate\` alone skips a revision a database has already applied, so a database that applied the old version still has the old ${table} table. Rebuild it (this drops its rows, and those of tables created by later migrations):`,
    `  nx run ${project}:migrate-down -- ${migration.downRevision ?? 'base'}`,
    `  nx run ${project}:migrate`,
    `A database that never applied ${migration.revision} needs only \`nx run ${project}:migrate\`. Then run \`nx run ${project}:test\`.`,
  ];
}
