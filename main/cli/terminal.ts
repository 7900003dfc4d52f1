import { closeSync, openSync, writeSync } from 'node:fs';

// Where the person who started a command reads, as distinct from its log. A secret meant
// for that person (the preview link's token) may go to their terminal, never to a stream
// that may be a file: stderr and stdout count only when they are a TTY, and when both
// are redirected the controlling terminal still reaches the person at the keyboard.

export interface PersonTerminal {
  /** 'stderr' means the log stream itself is the terminal. */
  readonly kind: 'stderr' | 'stdout' | 'tty';
  write(text: string): void;
  close(): void;
}

export interface TerminalStreams {
  stdin: { isTTY?: boolean };
  stdout: { isTTY?: boolean; write(text: string): unknown };
  stderr: { isTTY?: boolean; write(text: string): unknown };
}

/** The person's terminal, or null when no one is watching (a service, a pipe, a test harness). */
export function personTerminal(streams: TerminalStreams = process): PersonTerminal | null {
  if (streams.stderr.isTTY === true) return { kind: 'stderr', write: (text) => void streams.stderr.write(text), close: () => undefined };
  if (streams.stdout.isTTY === true) return { kind: 'stdout', write: (text) => void streams.stdout.write(text), close: () => undefined };
  // Output redirected, keyboard still attached (`candor start >agent.log 2>&1`): the
  // controlling terminal. A service has none (the open fails with ENXIO), nor does Windows.
  if (streams.stdin.isTTY !== true || process.platform === 'win32') return null;
  let fd: number;
  try {
    fd = openSync('/dev/tty', 'w');
  } catch {
    return null;
  }
  let open = true;
  return {
    kind: 'tty',
    write: (text) => {
      if (open) writeSync(fd, text);
    },
    close: () => {
      if (!open) return;
      open = false;
      closeSync(fd);
    },
  };
}
