import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The last run's findings, keyed by everything they depend on (configuration, tool version and
 * every file's path, mtime and size): when nothing changed, no file is read at all.
 */
export class ResultCache<T> {
  private constructor(private readonly file: string | null) {}

  static open<T>(directory: string | null, projectRoot: string): ResultCache<T> {
    if (directory === null) return new ResultCache<T>(null);
    const key = createHash('sha1').update(path.resolve(projectRoot)).digest('hex').slice(0, 16);
    return new ResultCache<T>(path.join(directory, `${key}.result.json`));
  }

  read(signature: string): T | undefined {
    if (this.file === null || !existsSync(this.file)) return undefined;
    try {
      const document = JSON.parse(readFileSync(this.file, 'utf-8')) as { signature: string; result: T };
      return document.signature === signature ? document.result : undefined;
    } catch {
      return undefined;
    }
  }

  write(signature: string, result: T): void {
    if (this.file === null) return;
    mkdirSync(path.dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify({ signature, result }));
    renameSync(temporary, this.file);
  }
}
