import { createHash } from 'node:crypto';

// Error fingerprints: the same bug gives the same fingerprint on every machine and
// every run, so only what identifies the code path goes in: the error type and the
// top frames, each reduced to "function@file" with no line/column (they move with
// every release) and no directories (they differ per user and install path).

export const FINGERPRINT_FRAMES = 5;

const V8_FRAME = /^\s*at\s+(.+)$/;
const FN_AND_LOCATION = /^(.*?) \((.*)\)$/;

/** The top V8 stack frames of a stack string, normalised to "function@file". */
export function topFrames(stack: string, limit = FINGERPRINT_FRAMES): string[] {
  const out: string[] = [];
  for (const line of stack.split('\n')) {
    if (out.length >= limit) break;
    const frame = V8_FRAME.exec(line);
    if (frame === null) continue; // the "Type: message" head and anything not a frame
    const rest = (frame[1] as string).trim();
    const parts = FN_AND_LOCATION.exec(rest);
    const fn = parts === null ? '' : (parts[1] as string);
    const location = parts === null ? rest : (parts[2] as string);
    out.push(`${fn}@${normaliseLocation(location)}`);
  }
  return out;
}

/** "file:///home/u/app/dist/x.js:12:5" -> "x.js"; also Windows paths, URLs, node:internal. */
export function normaliseLocation(location: string): string {
  const noPosition = location.replace(/:\d+(?=:|\)|,|$)/g, '');
  const noQuery = noPosition.replace(/[?#].*$/, '');
  const cut = Math.max(noQuery.lastIndexOf('/'), noQuery.lastIndexOf('\\'));
  return cut < 0 ? noQuery : noQuery.slice(cut + 1);
}

/**
 * sha256 of the type and the normalised top frames. A value thrown without a stack
 * (a string, an object) has no frames, so its message stands in for them.
 */
export function fingerprint(type: string, stack: string, message: string): string {
  const frames = topFrames(stack);
  const basis = frames.length > 0 ? frames.join('\n') : `message:${message}`;
  return createHash('sha256').update(`${type}\n${basis}`).digest('hex');
}
