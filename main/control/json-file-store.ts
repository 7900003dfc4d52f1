import { join } from 'node:path';
import { writeFileAtomicSync } from '../util/atomic-write.js';
import { createPrivateDirsSync } from '../util/private-mode.js';
import { readTextNoFollowSync } from '../util/safe-open.js';
import type { SettingsBackendOptions } from './settings-store.js';

/**
 * The settings backend in plain Node: the part of conf the store uses (a JSON object
 * read whole and written atomically), without loading conf's ajv, ajv-formats and
 * semver, which cost the headless agent ~9 MiB and ~60 ms at start. The desktop passes
 * electron-store (conf's subclass), which behaves the same for this use. Unlike conf,
 * it never reads through a symbolic link (util/safe-open.ts).
 */
export class JsonFileStore {
  readonly path: string;
  private readonly mode: number;
  private readonly serialize: (value: Record<string, unknown>) => string;

  constructor(options: SettingsBackendOptions) {
    // cwd is the data directory, which may be a link (util/data-dir.ts says when that is fine).
    createPrivateDirsSync(options.cwd);
    this.path = join(options.cwd, `${options.configName}.${options.fileExtension}`);
    this.mode = options.configFileMode;
    this.serialize = options.serialize;
  }

  /** Like conf: a missing file is an empty object; a file that is not JSON throws SyntaxError. */
  get store(): Record<string, unknown> {
    let text: string;
    try {
      text = readTextNoFollowSync(this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
    const value = JSON.parse(text) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new SyntaxError(`${this.path} does not hold a JSON object`);
    return value as Record<string, unknown>;
  }

  set store(value: Record<string, unknown>) {
    writeFileAtomicSync(this.path, this.serialize(value), { mode: this.mode });
  }
}
