import { readFileSync } from 'node:fs';
import { isMap, isScalar, LineCounter, parseDocument, type Node, type Document } from 'yaml';
import { CONFIG_PATTERN_NAME, pathSegment, sectionKeys } from './config-schema.js';
import { closestName, ConfigError, describeValue } from './config-error.js';
import { checkLeaf, type LeafValue } from './config-leaf.js';

const ERRNO_WORDS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory, not a file',
  ENOTDIR: 'a part of its path is not a directory',
  ENOENT: 'no such file',
};

/**
 * Reads one YAML layer into checked leaf values. Returns null when the file does not
 * exist and `optional` is set; every other failure (unreadable, bad YAML, unknown key,
 * wrong type, out of range) throws a ConfigError naming the file and, where known, the line.
 */
export function readConfigFile(file: string, display: string, optional: boolean): LeafValue[] | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code === 'ENOENT' && optional) return null;
    throw new ConfigError({
      source: display,
      problem: `cannot read the file: ${ERRNO_WORDS[code] ?? (code !== '' ? code : (error as Error).message)}`,
    });
  }
  return parseConfigText(text, display);
}

export function parseConfigText(text: string, display: string): LeafValue[] {
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
  try {
    walk(doc.contents, '');
  } catch (error) {
    // yaml reports some problems (an alias without its anchor) only when values are read.
    if (error instanceof ConfigError) throw error;
    throw new ConfigError({ source: display, problem: `not valid YAML: ${(error as Error).message}` });
  }
  return leaves;
}

function toJs(node: Node | null | undefined, doc: Document): unknown {
  if (node === null || node === undefined) return null;
  return node.toJS(doc);
}
