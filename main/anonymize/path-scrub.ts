// How one absolute path found in free text is rewritten (used by text.ts):
//   under the app root        -> `<app>/` + the relative path (code-defined, kept)
//   under a home directory    -> `<home>/…/` + the file name, if it is a code file
//   anywhere else             -> `<path>/` + the file name, if it is a code file
// Home directories are this machine's (from the context) and anyone's by shape:
// /home/<x>, /Users/<x>, /root, C:\Users\<x>, also behind \\?\ and in either slash.
// Only code files keep their name (index.js, app.asar, node.dll): a stack frame
// stays useful, while a document's name (Q3-layoffs.xlsx) says too much.
// `:line:col` suffixes are kept. The token part comes back separately from the kept
// part so the caller can protect the token and still scrub the kept part.

export interface PathRoots {
  appRoot: string | null;
  homeDirs: string[];
}

export interface ScrubbedPath {
  /** `<app>/`, `<home>/…/`, `<path>` and so on: never scanned again. */
  token: string;
  /** What stays readable after the token: relative path or file name, and `:line:col`. */
  rest: string;
}

interface Parsed {
  segments: string[];
  windows: boolean;
  unc: boolean;
  sep: string;
}

const CODE_FILE =
  /\.(?:[cm]?js|[cm]?ts|jsx|tsx|json|node|wasm|map|html?|css|asar|so|dll|dylib|exe|py|rb|go|rs|c|cc|cpp|h|hpp|java|kt|swift)$/i;
const LINE_COL = /:\d+(?::\d+)?$/;

function parse(path: string): Parsed {
  let p = path;
  const sep = p.includes('\\') ? '\\' : '/';
  let unc = false;
  const verbatim = /^[\\/]{2}[?.][\\/]/.exec(p);
  if (verbatim) {
    p = p.slice(verbatim[0].length);
    if (/^UNC[\\/]/i.test(p)) {
      unc = true;
      p = p.slice(4);
    }
  } else if (/^[\\/]{2}/.test(p) && sep === '\\') {
    unc = true;
  }
  const segments = p.split(/[\\/]+/).filter((s) => s !== '');
  const windows = unc || /^[A-Za-z]:$/.test(segments[0] ?? '');
  return { segments, windows, unc, sep };
}

function startsWith(path: Parsed, root: Parsed): boolean {
  if (root.segments.length === 0 || root.segments.length > path.segments.length || root.unc !== path.unc) return false;
  const fold = path.windows || root.windows;
  return root.segments.every((seg, i) => {
    const other = path.segments[i] ?? '';
    return fold ? seg.toLowerCase() === other.toLowerCase() : seg === other;
  });
}

/** Number of leading segments that form a home directory by its shape, or 0. */
function homeDepth(path: Parsed): number {
  const [first = '', second = '', third] = path.segments;
  if (path.unc) return 0;
  if (path.windows) return second.toLowerCase() === 'users' && third !== undefined ? 3 : 0;
  if ((first === 'home' || first === 'Users') && second !== '') return 2;
  return first === 'root' ? 1 : 0;
}

/** The user name in a path shaped like a home directory (/home/<x>, C:\Users\<x>), or null. */
export function homeUserName(path: string): string | null {
  const parsed = parse(path.replace(LINE_COL, ''));
  const depth = homeDepth(parsed);
  return depth >= 2 ? (parsed.segments[depth - 1] ?? null) : null;
}

export function scrubPath(path: string, roots: PathRoots): ScrubbedPath {
  const suffix = LINE_COL.exec(path)?.[0] ?? '';
  const parsed = parse(suffix ? path.slice(0, -suffix.length) : path);
  const { segments, sep } = parsed;

  if (roots.appRoot) {
    const app = parse(roots.appRoot);
    if (startsWith(parsed, app)) {
      const rel = segments.slice(app.segments.length).join(sep);
      return { token: rel ? `<app>${sep}` : '<app>', rest: rel + suffix };
    }
  }

  let depth = 0;
  for (const home of roots.homeDirs) {
    const parsedHome = parse(home);
    if (startsWith(parsed, parsedHome)) depth = Math.max(depth, parsedHome.segments.length);
  }
  if (depth === 0) depth = homeDepth(parsed);

  const base = segments[segments.length - 1] ?? '';
  const keepBase = CODE_FILE.test(base);
  if (depth > 0) {
    const below = segments.length - depth;
    if (below === 0) return { token: '<home>', rest: suffix };
    if (!keepBase) return { token: `<home>${sep}…`, rest: suffix };
    return { token: below > 1 ? `<home>${sep}…${sep}` : `<home>${sep}`, rest: base + suffix };
  }
  return keepBase ? { token: `<path>${sep}`, rest: base + suffix } : { token: '<path>', rest: suffix };
}
