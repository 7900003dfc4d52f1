import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { RUN_STRIDE } from './kill-protocol.js';

// Runs the SIGKILL child again and again on one data directory, killing each run a
// random 5-60 ms after it is ready, and keeps every promise the children printed.

export interface LaneOptions {
  program: string;
  dataDir: string;
  runs: number;
  /** Outbox bound the child uses. */
  maxCount: number;
  seed: number;
  random: () => number;
  /** Subset of "ads"; see kill-child.ts. */
  ops?: string;
  minDelayMs?: number;
  maxDelayMs?: number;
  /** Extra arguments for node before the program (e.g. --import a crash hook). */
  nodeArgs?: string[];
  env?: NodeJS.ProcessEnv;
}

export interface LaneRecord {
  /** Reports whose add() resolved. */
  added: Set<number>;
  /** Reports recorded in the ledger and removed from the outbox. */
  delivered: Set<number>;
  /** Consent writes that returned, in order. */
  settings: number[];
  /** Per run, the last serial it confirmed (0 when none). */
  lastConfirmed: number[];
  kills: number;
}

export function serialRun(seq: number): number {
  return Math.floor(seq / RUN_STRIDE);
}

export async function runLane(opts: LaneOptions): Promise<LaneRecord> {
  const record: LaneRecord = { added: new Set(), delivered: new Set(), settings: [], lastConfirmed: [], kills: 0 };
  const min = opts.minDelayMs ?? 5;
  const max = opts.maxDelayMs ?? 60;
  for (let run = 0; run < opts.runs; run++) {
    record.lastConfirmed[run] = 0;
    await new Promise<void>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [...(opts.nodeArgs ?? []), opts.program, opts.dataDir, String(run), String(opts.maxCount), String(opts.seed), opts.ops ?? 'ads'],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { PATH: process.env['PATH'] ?? '', ...opts.env },
        },
      );
      let stderr = '';
      let ready = false;
      let timer: NodeJS.Timeout | undefined;
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8');
      });
      createInterface({ input: child.stdout }).on('line', (line) => {
        const [what, value] = line.split(' ');
        const seq = Number(value);
        if (what === 'ready') {
          ready = true;
          timer = setTimeout(() => child.kill('SIGKILL'), min + opts.random() * (max - min));
          return;
        }
        if (what === 'added') record.added.add(seq);
        else if (what === 'delivered') record.delivered.add(seq);
        else if (what === 'settings') record.settings.push(seq);
        if (what === 'added' || what === 'settings') record.lastConfirmed[run] = seq;
      });
      child.on('error', reject);
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        if (signal === 'SIGKILL' && ready) {
          record.kills += 1;
          resolve();
        } else {
          reject(
            new Error(
              `run ${run} of ${opts.dataDir} ended with ${signal ?? `exit code ${String(code)}`} before or instead of the kill:\n${stderr}`,
            ),
          );
        }
      });
    });
  }
  return record;
}
