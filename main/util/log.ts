// A tiny leveled logger. Lines go to stderr so that stdout stays clean for
// `candor report` and `--json` output. Tests can capture lines with `setLogSink`.

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
const ORDER: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export type LogSink = (level: LogLevel, line: string) => void;

let threshold: LogLevel = 'info';
let sink: LogSink = (_level, line) => {
  process.stderr.write(`${line}\n`);
};

export function setLogLevel(level: LogLevel): void {
  threshold = level;
}

export function setLogSink(next: LogSink): LogSink {
  const previous = sink;
  sink = next;
  return previous;
}

function emit(level: LogLevel, message: string): void {
  if (ORDER[level] > ORDER[threshold]) return;
  sink(level, `candor ${level}: ${message}`);
}

export const log = {
  error: (message: string): void => emit('error', message),
  warn: (message: string): void => emit('warn', message),
  info: (message: string): void => emit('info', message),
  debug: (message: string): void => emit('debug', message),
};
