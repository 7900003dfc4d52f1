import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { log } from '../util/log.js';
import { writeFileAtomicSync } from '../util/atomic-write.js';
import { mkdirPrivateSync } from '../util/private-mode.js';
import { readTextNoFollowSync } from '../util/safe-open.js';

// The dropped-reports protocol: every report dropped from a full outbox is told to the
// collector exactly once, by a report that was actually delivered.
//
//  - `value()` is the number of drops no report in the outbox carries yet. The report
//    builder reads it into `delivery.dropped_reports` (reading does not reset it).
//  - When the outbox stores that report, it *claims* the count the report carries: the
//    counter goes down by it, and the report now owns those drops.
//  - If the owning report is itself dropped, its drops come back plus one for itself;
//    if it is rejected (4xx), its drops come back. If it is delivered, nothing changes:
//    the collector has been told.
// Hence: counter + sum(carried by reports in the outbox) = drops not yet delivered.
// Two pending reports never both carry the same drop, so the collector never counts
// one twice. A claim is written before the report file and settled after it, so a
// crash in between is undone at the next start (the file never appeared) or kept
// (it did). The other way round, a report leaving the outbox uncounted (dropped by the
// bound, rejected) is announced before its file goes and counted after: a crash in
// between is counted at the next start if the file is gone.

interface Pending {
  file: string;
  count: number;
}

interface State {
  dropped: number;
  claim?: Pending;
  returning?: Pending;
}

function parsePending(value: unknown, name: string): Pending | undefined {
  if (value === undefined) return undefined;
  const { file, count } = (value ?? {}) as { file?: unknown; count?: unknown };
  if (typeof file !== 'string' || typeof count !== 'number' || !Number.isInteger(count) || count < 0)
    throw new Error(`"${name}" is malformed`);
  return { file, count };
}

function parseState(text: string): State {
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null) throw new Error('not a JSON object');
  const dropped = (value as { dropped?: unknown }).dropped;
  if (typeof dropped !== 'number' || !Number.isInteger(dropped) || dropped < 0) throw new Error('"dropped" is not a count');
  const claim = parsePending((value as { claim?: unknown }).claim, 'claim');
  const returning = parsePending((value as { returning?: unknown }).returning, 'returning');
  return { dropped, ...(claim ? { claim } : {}), ...(returning ? { returning } : {}) };
}

export class DroppedCounter {
  private state: State;

  /** `dir` holds the state file and the report files a claim names. */
  constructor(
    private readonly file: string,
    private readonly dir: string,
    private readonly corruptDir: string,
  ) {
    this.state = this.load();
    const { claim, returning } = this.state;
    if (claim || returning) {
      let dropped = this.state.dropped;
      // A claim left by a crash: the drops return unless the report file landed.
      if (claim && !existsSync(join(this.dir, claim.file))) dropped += claim.count;
      // A return left by a crash: counted if the report file did leave.
      if (returning && !existsSync(join(this.dir, returning.file))) dropped += returning.count;
      this.state = { dropped };
      this.save();
    }
  }

  value(): number {
    return this.state.dropped;
  }

  /** The report in `file` takes up to `count` drops; returns how many it took. */
  claim(file: string, count: number): number {
    const taken = Math.min(count, this.state.dropped);
    if (taken === 0) return 0;
    this.state = { dropped: this.state.dropped - taken, claim: { file, count: taken } };
    this.save();
    return taken;
  }

  /** The claimed report file is on disk: the claim stands. */
  settle(): void {
    if (!this.state.claim) return;
    this.state = { dropped: this.state.dropped };
    this.save();
  }

  /** The claimed report file was never written: the drops return. */
  undoClaim(): void {
    if (!this.state.claim) return;
    this.state = { dropped: this.state.dropped + this.state.claim.count };
    this.save();
  }

  /**
   * `count` drops return when the report `file` (a name in the outbox dir) leaves the
   * outbox uncounted (dropped by the bound, rejected). Call before it goes, then
   * settleReturn() after: a crash in between is counted at the next start.
   */
  intendReturn(file: string, count: number): void {
    if (count <= 0) return;
    this.state = { ...this.state, returning: { file, count } };
    this.save();
  }

  /** The report file has left: its drops are counted (one write). */
  settleReturn(): void {
    const returning = this.state.returning;
    if (!returning) return;
    const { returning: _done, ...rest } = this.state;
    this.state = { ...rest, dropped: rest.dropped + returning.count };
    this.save();
  }

  private load(): State {
    let problem: string;
    try {
      // Never through a link (util/safe-open.ts): one is handled like an unreadable file.
      return parseState(readTextNoFollowSync(this.file));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return { dropped: 0 };
      // Unreadable (a directory in its place, no permission) is handled like corrupt content.
      problem = code === undefined ? `is corrupt (${(error as Error).message})` : `could not be read (${(error as Error).message})`;
    }
    // Kept for a human to read; the count restarts at zero rather than stopping delivery.
    mkdirPrivateSync(this.corruptDir);
    const aside = join(this.corruptDir, `state-${Date.now()}.json`);
    try {
      renameSync(this.file, aside);
    } catch (error) {
      log.error(
        `outbox state file ${this.file} ${problem} and could not be moved aside (${(error as Error).message}); dropped-report count restarts at 0`,
      );
      return { dropped: 0 };
    }
    log.error(`outbox state file ${this.file} ${problem}; moved to ${aside}, dropped-report count restarts at 0`);
    return { dropped: 0 };
  }

  private save(): void {
    writeFileAtomicSync(this.file, `${JSON.stringify(this.state)}\n`);
  }
}
