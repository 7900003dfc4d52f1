import { setLogLevel, setLogSink, type LogLevel } from '../../../main/util/log.js';

export interface LogLines {
  readonly lines: string[];
  /** Lines at this level or more severe that match. */
  matching(pattern: RegExp): string[];
  restore(): void;
}

/** Captures the agent's log lines (every level) in this process until restore(). */
export function captureLogLines(): LogLines {
  const lines: string[] = [];
  const previous = setLogSink((_level: LogLevel, line: string) => lines.push(line));
  setLogLevel('debug');
  return {
    lines,
    matching: (pattern) => lines.filter((line) => pattern.test(line)),
    restore() {
      setLogSink(previous);
      setLogLevel('info');
    },
  };
}
