import { lstatSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { namingFile, writeFileAtomicSync } from '../util/atomic-write.js';
import { createPrivateDirsSync } from '../util/private-mode.js';
import { readTextNoFollowSync, SymlinkRefusedError } from '../util/safe-open.js';
import { JsonFileStore } from './json-file-store.js';
import { log } from '../util/log.js';
import { defaultSettings, parseSettings, SETTINGS_SCHEMA_VERSION, type Settings } from './settings-schema.js';
import { migrateSettings, SettingsVersionError, type SettingsData } from './settings-migrations.js';
import { purgeStaleTempFiles, quarantineSettingsFile } from './settings-recovery.js';

export type { Settings } from './settings-schema.js';

export const SETTINGS_FILE_NAME = 'settings.json';
/** How often a watching store polls the file: a change by another process shows within this plus one read. */
export const SETTINGS_POLL_MS = 200;

export interface SettingsStore {
  readonly path: string;
  get(): Settings;
  update(change: (current: Settings) => Settings): Settings;
  onChange(listener: (s: Settings) => void): () => void;
  close(): void;
}

/** The options we pass to the backend; `name` is electron-store's spelling of conf's `configName`. */
export interface SettingsBackendOptions {
  cwd: string;
  configName: string;
  name: string;
  fileExtension: string;
  configFileMode: number;
  clearInvalidConfig: boolean;
  accessPropertiesByDotNotation: boolean;
  watch: boolean;
  serialize: (value: Record<string, unknown>) => string;
}

/** JsonFileStore (plain Node) or electron-store (desktop): anything constructible like conf with a `store` property. */
export type SettingsStoreClass = new (options: SettingsBackendOptions) => { readonly path: string; store: Record<string, unknown> };

const serialize = (value: Record<string, unknown>): string => `${JSON.stringify(value, null, 2)}\n`;

type Outcome = { settings: Settings; migratedFrom: number | null };
type Problem = { problem: string; newer: boolean };

/** Turns raw file contents into settings, or says why they cannot be used. */
function interpret(raw: unknown): Outcome | Problem {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { problem: 'not a JSON object', newer: false };
  try {
    const migrated = migrateSettings(raw as SettingsData);
    return { settings: parseSettings(migrated.data), migratedFrom: migrated.steps > 0 ? migrated.fromVersion : null };
  } catch (error) {
    // SettingsVersionError (newer or odd schema_version), a failed step, or the schema.
    const newer = error instanceof SettingsVersionError && typeof error.found === 'number' && error.found > error.known;
    return { problem: (error as Error).message, newer };
  }
}

/** Defaults that remember the person's answers were lost, so nothing is sent until they answer again. */
function recoveredDefaults(from: string): Settings {
  return { ...defaultSettings(), recovered: { from, at: new Date().toISOString() } };
}

/**
 * The file's text, or null when there is none; an unreadable file is an error, never a
 * silent reset. A link in its place is such an error: settings read through a link
 * could grant consent the person never gave.
 */
function readText(file: string): string | null {
  try {
    return readTextNoFollowSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`cannot read settings file ${file}: ${(error as Error).message}`);
  }
}

function parseJson(text: string): { value: unknown } | Problem {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    return { problem: `not JSON: ${(error as Error).message}`, newer: false };
  }
}

/**
 * Opens (creating if needed) <dataDir>/settings.json. A file that is not JSON or fails
 * the schema is moved aside and replaced by defaults that record the recovery (so
 * sending stays off, in every process, until the person answers again). A file from a
 * newer Candor is left untouched and read as such defaults, and this store refuses to
 * write over it. An older one is migrated and written back. `watch` (default true)
 * polls the file so changes by other processes reach onChange within SETTINGS_POLL_MS.
 */
export function openSettingsStore(opts: { dataDir: string; storeClass?: SettingsStoreClass; watch?: boolean }): SettingsStore {
  const dataDir = resolve(opts.dataDir);
  // The data directory itself may be a link (util/data-dir.ts says when that is fine).
  createPrivateDirsSync(dataDir);
  const file = join(dataDir, SETTINGS_FILE_NAME);
  purgeStaleTempFiles(file);

  // Checked before the backend exists: conf's constructor throws on a corrupt file.
  const text = readText(file);
  const parsed = text === null ? null : parseJson(text);
  let initial: Outcome | Problem = { settings: defaultSettings(), migratedFrom: null };
  if (parsed !== null) initial = 'problem' in parsed ? parsed : interpret(parsed.value);
  let newerFile: string | null = null;
  let newerSettings: Settings | null = null;
  let recoveredNow: Settings | null = null;
  if ('problem' in initial) {
    if (initial.newer) {
      newerFile = `${file} (written by a newer Candor: ${initial.problem})`;
      log.warn(`settings ${file} come from a newer version of Candor; leaving them untouched and sending nothing`);
      newerSettings = recoveredDefaults(newerFile);
      initial = { settings: newerSettings, migratedFrom: null };
    } else {
      const target = quarantineSettingsFile(file, initial.problem);
      recoveredNow = recoveredDefaults(target ?? file);
      initial = { settings: recoveredNow, migratedFrom: null };
    }
  }

  const StoreClass: SettingsStoreClass = opts.storeClass ?? JsonFileStore;
  const backend = new StoreClass({
    cwd: dataDir,
    configName: 'settings',
    name: 'settings',
    fileExtension: 'json',
    configFileMode: 0o600,
    clearInvalidConfig: false,
    accessPropertiesByDotNotation: false,
    // conf's own watcher debounces by a second on Linux; we poll ourselves (below).
    watch: false,
    serialize,
  });
  if (resolve(backend.path) !== file) throw new Error(`settings backend uses ${backend.path}, expected ${file}`);

  // conf falls back to a plain, tearable write when SNAP is set (its Snap workaround);
  // the settings file must survive a kill mid-write everywhere, so we write it ourselves there.
  const write = (settings: Settings): void => {
    if (newerFile !== null) throw new Error(`settings ${newerFile} are not changed by this older version; update Candor first`);
    if (process.env['SNAP'] !== undefined) writeFileAtomicSync(file, serialize({ ...settings }), { mode: 0o600 });
    else {
      try {
        backend.store = { ...settings };
      } catch (error) {
        throw namingFile(error, file);
      }
    }
  };

  if (recoveredNow !== null) write(recoveredNow);
  if (initial.migratedFrom !== null) {
    write(initial.settings);
    log.info(`settings ${file} migrated from schema_version ${initial.migratedFrom} to ${SETTINGS_SCHEMA_VERSION}`);
  }

  // Re-parsing is skipped while the file is the same file (atomic writes give a new inode).
  let cache: { signature: string; settings: Settings } | null = null;
  // lstat, and a link refused before the backend reads: electron-store (conf) would follow it.
  const signatureOf = (): string | null => {
    const st = lstatSync(file, { bigint: true, throwIfNoEntry: false });
    if (st?.isSymbolicLink()) throw new SymlinkRefusedError(file);
    return st === undefined ? null : `${st.ino}:${st.mtimeNs}:${st.size}`;
  };

  function get(): Settings {
    if (newerSettings !== null) return structuredClone(newerSettings);
    const signature = signatureOf();
    if (signature === null) return defaultSettings();
    if (cache !== null && cache.signature === signature) return structuredClone(cache.settings);
    let outcome: Outcome | Problem;
    try {
      outcome = interpret(backend.store);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return defaultSettings();
      if (!(error instanceof SyntaxError)) throw error;
      outcome = { problem: `not JSON: ${error.message}`, newer: false };
    }
    if ('problem' in outcome) {
      // Went bad while open (or a newer Candor wrote it): same rule as at open, fail closed.
      cache = null;
      if (outcome.newer) return recoveredDefaults(`${file} (written by a newer Candor: ${outcome.problem})`);
      const recovered = recoveredDefaults(quarantineSettingsFile(file, outcome.problem) ?? file);
      write(recovered);
      return recovered;
    }
    // Another (older) process wrote a legacy shape: read it migrated, leave writing to update().
    cache = { signature, settings: outcome.settings };
    return structuredClone(outcome.settings);
  }

  const listeners = new Set<(s: Settings) => void>();
  let lastJson = JSON.stringify(get());
  const emitIfChanged = (settings: Settings): void => {
    const json = JSON.stringify(settings);
    if (json === lastJson) return;
    lastJson = json;
    for (const listener of listeners) {
      try {
        listener(structuredClone(settings));
      } catch (error) {
        log.warn(`settings listener failed: ${(error as Error).message}`);
      }
    }
  };

  // Said once per distinct problem: the poll runs every SETTINGS_POLL_MS.
  let lastPollError: string | null = null;
  const poll = (): void => {
    try {
      emitIfChanged(get());
      lastPollError = null;
    } catch (error) {
      const message = (error as Error).message;
      if (message !== lastPollError) log.warn(`settings file ${file} could not be re-read: ${message}`);
      lastPollError = message;
    }
  };
  // Our own timer, not fs.watchFile: watchFile takes its baseline from a first stat on the
  // thread pool, so a write landing before that stat (another process answering right
  // after this one opened) was never reported. poll() compares with what listeners last
  // saw, and get() re-reads only when the file's signature (one lstat) changed.
  const timer = opts.watch === false ? null : setInterval(poll, SETTINGS_POLL_MS);
  timer?.unref();

  let closed = false;
  return {
    path: file,
    get,
    update(change) {
      if (closed) throw new Error(`settings store ${file} is closed`);
      const next = parseSettings({ ...change(get()), schema_version: SETTINGS_SCHEMA_VERSION });
      write(next);
      cache = null;
      emitIfChanged(next);
      return structuredClone(next);
    },
    onChange(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    close() {
      if (closed) return;
      closed = true;
      if (timer) clearInterval(timer);
      listeners.clear();
    },
  };
}
