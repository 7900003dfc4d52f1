import { readFileSync } from 'node:fs';
import { isMap, isScalar, LineCounter, parseDocument, type Node, type Document } from 'yaml';
import { CONFIG_PATTERN_NAME, CONFIG_SECTIONS, pathSegment, sectionKeys } from './config-schema.js';
import { closestName, ConfigError, describeValue, editDistance } from './config-error.js';
import { checkLeaf, type LeafValue } from './config-leaf.js';

const ERRNO_WORDS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory, not a file',
  ENOTDIR: 'a part of its path is not a directory',
  ENOENT: 'no such file',
};

/** A file shared with another tool: the top-level keys that are not Candor's, and Candor's own that were skipped. */
export interface SharedFile {
  foreign: string[];
  ignored: string[];
}

export interface LayerRead {
  leaves: LeafValue[];
  /** Set when the file also holds another tool's keys: then only telemetry_disabled was read from it. */
  shared: SharedFile | null;
}

// The keys that switch Candor off. A near miss of one at the top level of a shared file
// is a typo, never another tool's key: an off switch must not hide behind one.
const OFF_SWITCH_KEYS = ['telemetry_disabled', 'telemetry'];
const OFF_SWITCH_TYPO_DISTANCE = 2;

function offSwitchTypo(name: string): string | null {
  const folded = name.toLowerCase().replace(/-/g, '_');
  for (const key of OFF_SWITCH_KEYS) if (editDistance(folded, key) <= OFF_SWITCH_TYPO_DISTANCE) return key;
  return null;
}

/**
 * Reads one layer of ./config, a folder other tools may share (node-config keeps
 * production.yaml and local.yaml there too). A file whose top-level keys are all
 * Candor's is Candor's and is checked strictly. A file with other top-level keys belongs
 * (also) to another tool: Candor reads only its telemetry_disabled, still checked, so
 * the off switch is honoured wherever it is written; everything else in it is left to
 * its owner. Returns null for a missing optional file.
 */
export function readConfigLayer(file: string, display: string, opts: { optional: boolean; mayBeShared: boolean }): LayerRead | null {
  const text = readText(file, display, opts.optional);
  if (text === null) return null;
  return parseConfigLayer(text, display, opts.mayBeShared);
}

export function parseConfigLayer(text: string, display: string, mayBeShared: boolean): LayerRead {
  const parsed = parseYaml(text, display);
  if (mayBeShared) {
    const shared = readingValues(display, () => sharedLayer(parsed, display));
    if (shared !== null) return shared;
  }
  return { leaves: walkStrict(parsed, display), shared: null };
}

function sharedLayer(parsed: Parsed, display: string): LayerRead | null {
  const { doc, lineOf } = parsed;
  const top = doc.contents;
  if (!isMap(top)) return null; // not a mapping: the strict walk says so
  const known = CONFIG_SECTIONS.get('') ?? [];
  const foreign: string[] = [];
  for (const pair of top.items) {
    const keyNode = pair.key as Node | null;
    const name = isScalar(keyNode) ? String(keyNode.value) : describeValue(toJs(keyNode, doc));
    if (known.includes(name)) continue;
    const typo = offSwitchTypo(name);
    if (typo !== null)
      throw new ConfigError({
        source: display,
        line: lineOf(keyNode),
        key: name,
        problem: `unknown key (did you mean ${typo}?): a misspelt off switch is never taken for another tool's key`,
      });
    foreign.push(name);
  }
  if (foreign.length === 0) return null;
  const leaves: LeafValue[] = [];
  const ignored: string[] = [];
  for (const pair of top.items) {
    const keyNode = pair.key as Node | null;
    const name = isScalar(keyNode) ? keyNode.value : null;
    if (name === 'telemetry_disabled') {
      const valueNode = pair.value as Node | null;
      const leaf = { path: name, value: toJs(valueNode, doc), line: lineOf(valueNode) ?? lineOf(keyNode) };
      leaves.push({ ...leaf, value: checkLeaf(display, leaf) });
    } else if (typeof name === 'string' && known.includes(name)) ignored.push(name);
  }
  return { leaves, shared: { foreign, ignored } };
}

/**
 * Reads one YAML layer into checked leaf values. Returns null when the file does not
 * exist and `optional` is set; every other failure (unreadable, bad YAML, unknown key,
 * wrong type, out of range) throws a ConfigError naming the file and, where known, the line.
 */
export function readConfigFile(file: string, display: string, optional: boolean): LeafValue[] | null {
  const text = readText(file, display, optional);
  return text === null ? null : parseConfigText(text, display);
}

function readText(file: string, display: string, optional: boolean): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code === 'ENOENT' && optional) return null;
    throw new ConfigError({
      source: display,
      problem: `cannot read the file: ${ERRNO_WORDS[code] ?? (code !== '' ? code : (error as Error).message)}`,
    });
  }
}

export function parseConfigText(text: string, display: string): LeafValue[] {
  return walkStrict(parseYaml(text, display), display);
}

interface Parsed {
  doc: Document;
  lineOf: (node: Node | null | undefined) => number | null;
}

function parseYaml(text: string, display: string): Parsed {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const first = doc.errors[0];
  if (first !== undefined) {
    const line = first.linePos?.[0].line ?? lineCounter.linePos(first.pos[0]).line;
    throw new ConfigError({ source: display, line, problem: `not valid YAML: ${first.message.split('\n')[0] ?? first.message}` });
  }
  const lineOf = (node: Node | null | undefined): number | null => {
    const offset = node?.range?.[0];
    return offset === undefined ? null : lineCounter.linePos(offset).line;
  };
  return { doc, lineOf };
}

/** yaml reports some problems (an alias without its anchor) only when values are read. */
function readingValues<T>(display: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError({ source: display, problem: `not valid YAML: ${(error as Error).message}` });
  }
}

/** Every key must be Candor's and every value valid. */
function walkStrict({ doc, lineOf }: Parsed, display: string): LeafValue[] {
  const leaves: LeafValue[] = [];
  const walk = (node: Node | null, section: string): void => {
    if (node === null || (isScalar(node) && node.value === null)) return; // empty file or empty section
    if (!isMap(node)) {
      const what = section === '' ? 'the top level' : section;
      throw new ConfigError({
        source: display,
        line: lineOf(node),
        key: section === '' ? null : section,
        problem: `${what} must be a mapping of keys, got ${describeValue(toJs(node, doc))}`,
      });
    }
    const keys = sectionKeys(section) ?? [];
    // `*`: a name the operator chooses (a service.name under intake.sources).
    const chosen = keys.includes('*');
    const known = keys.filter((k) => k !== '*');
    for (const pair of node.items) {
      const keyNode = pair.key as Node | null;
      const name = isScalar(keyNode) ? keyNode.value : undefined;
      if (typeof name !== 'string') {
        throw new ConfigError({
          source: display,
          line: lineOf(keyNode),
          problem: `keys must be plain names, got ${describeValue(toJs(keyNode, doc))}`,
        });
      }
      let path = section === '' ? name : `${section}.${name}`;
      const valueNode = pair.value as Node | null;
      if (!known.includes(name)) {
        const hint = closestName(name, known);
        if (chosen && CONFIG_PATTERN_NAME.test(name)) {
          path = `${section}.${pathSegment(name)}`;
          if (!isMap(valueNode)) {
            // A named entry (`intake.sources.<app>:`) holds a mapping; a typo of a fixed key usually does not.
            throw new ConfigError({
              source: display,
              line: lineOf(valueNode) ?? lineOf(keyNode),
              key: `${section}.${name}`,
              problem: `${name} is read as an app name, whose entry must be a mapping (${(sectionKeys(path) ?? []).join(', ')}), got ${describeValue(toJs(valueNode, doc))}${hint === null ? '' : `; did you mean ${section}.${hint}?`}`,
            });
          }
          walk(valueNode, path);
          continue;
        }
        const where = section === '' ? 'at the top level' : `under ${section}`;
        const names = chosen ? [...known, '<name> (letters, digits, ".", "_", "-")'] : known;
        throw new ConfigError({
          source: display,
          line: lineOf(keyNode),
          key: path,
          problem: `unknown key${hint === null ? '' : ` (did you mean ${section === '' ? hint : `${section}.${hint}`}?)`}; known keys ${where}: ${names.join(', ')}`,
        });
      }
      if (sectionKeys(path) !== undefined) {
        walk(valueNode, path);
        continue;
      }
      const leaf = { path, value: toJs(valueNode, doc), line: lineOf(valueNode) ?? lineOf(keyNode) };
      leaves.push({ ...leaf, value: checkLeaf(display, leaf) });
    }
  };
  readingValues(display, () => walk(doc.contents, ''));
  return leaves;
}

function toJs(node: Node | null | undefined, doc: Document): unknown {
  if (node === null || node === undefined) return null;
  return node.toJS(doc);
}
