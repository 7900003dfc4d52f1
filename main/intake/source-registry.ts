import type { IntakeLimits } from './limits.js';
import type { SourceIdentity } from './resource-identity.js';
import type { AnsweredBy, SourceInfo, SourceState } from './source-types.js';
import type { NameChecker, NameProblem } from './safe-names.js';
import { SourceStore, type ByteBudget, type RawSourceSeries, type RawSourceTimer } from './source-store.js';
import type { RecordedErrors } from '../collect/error-records.js';

// Sources and their answers. Each service.name is a source; a new one is pending: its
// data is aggregated in memory (bounded) for the preview, and none of it leaves. An
// allowed source's aggregates go into the report; a denied source's data is dropped as
// it arrives (only counted). The person's answer (persisted in settings) wins over the
// operator's (config `intake.sources.allow` / `deny`; a name on both lists is denied).

export type { AnsweredBy, SourceInfo, SourceState } from './source-types.js';

export interface SourceAnswer {
  state: 'allowed' | 'denied';
  /** ISO time of the answer, null when not known. */
  at: string | null;
}

export interface OperatorSources {
  allow: readonly string[];
  deny: readonly string[];
  /** Per source name: attribute key -> the values that are categories; any other value is `other`. */
  categories: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
}

/** One source as the payload builder receives it (RAW: `labels.hashed` values and error texts are not anonymized). */
export interface RawSourceSection {
  name: string;
  state: 'allowed' | 'pending';
  version: string | null;
  sdk: SourceIdentity['sdk'];
  os_type: string | null;
  counters: Record<string, number>;
  timers: Record<string, RawSourceTimer>;
  detail: RawSourceSeries[];
  errors: RecordedErrors;
  dropped: Record<string, number>;
}

/** Why a name cannot be a source, in the words the person reads (safe-names.ts has the rules). */
const NAME_PROBLEMS: Record<NameProblem, string> = {
  syntax: 'service.name values are names of letters, digits, ".", "_" and "-", starting with a letter',
  id: 'it looks like an id (a long hex run or 5+ digits), which the intake never keeps as a name',
  address: 'it looks like an address or a host name, which the intake never keeps as a name',
  machine: "it contains this machine's host, user or home folder name, which the intake never keeps",
};

/** Where one resource's data goes. */
export interface SourceSink {
  readonly name: string;
  readonly state: SourceState;
  /** Null when denied. */
  readonly store: SourceStore | null;
  readonly categories: ReadonlyMap<string, ReadonlySet<string>>;
  received(points: number, logRecords: number, errorRecords: number): void;
}

interface Entry extends SourceSink {
  state: SourceState;
  store: SourceStore | null;
  identity: SourceIdentity | null;
  firstSeen: number | null;
  lastSeen: number | null;
  points: number;
  logRecords: number;
  errorRecords: number;
  droppedWhileDenied: number;
}

const NO_CATEGORIES: ReadonlyMap<string, ReadonlySet<string>> = new Map();

export class SourceRegistry {
  private readonly entries = new Map<string, Entry>();
  private person = new Map<string, SourceAnswer>();
  private readonly operatorAllow: ReadonlySet<string>;
  private readonly operatorDeny: ReadonlySet<string>;
  private readonly categories = new Map<string, ReadonlyMap<string, ReadonlySet<string>>>();
  private seenCount = 0;
  private readonly listeners = new Set<() => void>();
  readonly budget: ByteBudget;
  /** Data refused before it reached a source, by reason (points and log records). */
  readonly refused = new Map<string, number>();

  constructor(
    private readonly limits: IntakeLimits,
    private readonly names: NameChecker,
    operator: OperatorSources,
    answers: Readonly<Record<string, SourceAnswer>>,
    private readonly now: () => Date,
  ) {
    this.budget = { used: 0, max: limits.maxTotalBytes };
    this.operatorAllow = new Set(operator.allow);
    this.operatorDeny = new Set(operator.deny);
    for (const [name, keys] of Object.entries(operator.categories)) {
      this.categories.set(name, new Map(Object.entries(keys).map(([key, values]) => [key, new Set(values)])));
    }
    this.person = new Map(Object.entries(answers));
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private changed(): void {
    for (const listener of this.listeners) {
      try {
        listener();
      } catch {
        // A listener's failure is its own; the intake keeps going.
      }
    }
  }

  private resolve(name: string): { state: SourceState; by: AnsweredBy; at: string | null } {
    const answer = this.person.get(name);
    if (answer !== undefined) return { state: answer.state, by: 'person', at: answer.at };
    if (this.operatorDeny.has(name)) return { state: 'denied', by: 'operator', at: null };
    if (this.operatorAllow.has(name)) return { state: 'allowed', by: 'operator', at: null };
    return { state: 'pending', by: 'none', at: null };
  }

  countRefused(reason: string, n: number): void {
    this.refused.set(reason, (this.refused.get(reason) ?? 0) + n);
  }

  /** The sink for data from a resource naming this source; null when no new source fits (counted by the caller). */
  sink(identity: SourceIdentity): SourceSink | null {
    let entry = this.entries.get(identity.name);
    if (entry === undefined || entry.firstSeen === null) {
      if (this.seenCount >= this.limits.maxSources) return null;
      entry ??= this.newEntry(identity.name);
      entry.firstSeen = this.now().getTime();
      this.seenCount++;
      this.entries.set(identity.name, entry);
      this.settle(entry);
      this.changed();
    }
    // A store refused for want of memory earlier may fit now.
    if (entry.store === null && entry.state !== 'denied') this.settle(entry);
    entry.identity = identity;
    entry.lastSeen = this.now().getTime();
    return entry;
  }

  private newEntry(name: string): Entry {
    const entry: Entry = {
      name,
      state: 'pending',
      store: null,
      categories: this.categories.get(name) ?? NO_CATEGORIES,
      identity: null,
      firstSeen: null,
      lastSeen: null,
      points: 0,
      logRecords: 0,
      errorRecords: 0,
      droppedWhileDenied: 0,
      received(points, logRecords, errorRecords) {
        this.points += points;
        this.logRecords += logRecords;
        this.errorRecords += errorRecords;
        if (this.state === 'denied') this.droppedWhileDenied += points + logRecords;
      },
    };
    return entry;
  }

  /** Brings an entry's store in line with its state: a denied source holds nothing. */
  private settle(entry: Entry): void {
    entry.state = this.resolve(entry.name).state;
    if (entry.state === 'denied') {
      entry.store?.release();
      entry.store = null;
    } else if (entry.store === null && entry.firstSeen !== null) {
      if (this.budget.used + SourceStore.baseBytes(this.limits) <= this.budget.max) {
        entry.store = new SourceStore(this.limits, this.budget, this.now);
      }
    }
  }

  /**
   * The person's answer. `persist` runs before anything changes: when it throws, the
   * answer is not taken. Throws RangeError for a name that cannot be a source.
   */
  answer(name: string, state: 'allowed' | 'denied', persist?: (answer: SourceAnswer) => void): SourceAnswer {
    const problem = typeof name === 'string' ? this.names.name(name) : 'syntax';
    if (problem !== null) throw new RangeError(`${JSON.stringify(name)} is not a source name: ${NAME_PROBLEMS[problem]}`);
    if (state !== 'allowed' && state !== 'denied') throw new RangeError(`an answer is "allowed" or "denied", got ${JSON.stringify(state)}`);
    const answer = { state, at: this.now().toISOString() };
    persist?.(answer);
    this.person.set(name, answer);
    const entry = this.entries.get(name);
    if (entry !== undefined) this.settle(entry);
    this.changed();
    return answer;
  }

  /** Replaces the person's answers (from settings written elsewhere); stores follow the new states. */
  syncAnswers(answers: Readonly<Record<string, SourceAnswer>>): void {
    const next = new Map(Object.entries(answers));
    const same =
      next.size === this.person.size &&
      [...next].every(([name, a]) => this.person.get(name)?.state === a.state && this.person.get(name)?.at === a.at);
    if (same) return;
    this.person = next;
    for (const entry of this.entries.values()) this.settle(entry);
    this.changed();
  }

  list(): SourceInfo[] {
    const names = new Set([...this.entries.keys(), ...this.person.keys(), ...this.operatorAllow, ...this.operatorDeny]);
    return [...names].sort().map((name) => this.info(name));
  }

  info(name: string): SourceInfo {
    const entry = this.entries.get(name);
    const { state, by, at } = this.resolve(name);
    const iso = (t: number | null | undefined): string | null => (t === null || t === undefined ? null : new Date(t).toISOString());
    let dropped = entry?.droppedWhileDenied ?? 0;
    for (const n of Object.values(entry?.store?.droppedCounts() ?? {})) dropped += n;
    return {
      name,
      state,
      answered_by: by,
      answered_at: at,
      seen: entry?.firstSeen !== null && entry?.firstSeen !== undefined,
      first_seen: iso(entry?.firstSeen),
      last_seen: iso(entry?.lastSeen),
      version: entry?.identity?.version ?? null,
      sdk: entry?.identity?.sdk ?? null,
      counts: { data_points: entry?.points ?? 0, log_records: entry?.logRecords ?? 0, error_records: entry?.errorRecords ?? 0, dropped },
      memory_bytes: entry?.store?.estimatedBytes ?? 0,
    };
  }

  /** Sections of the sources in `state` that hold data. */
  sections(state: 'allowed' | 'pending'): RawSourceSection[] {
    const out: RawSourceSection[] = [];
    for (const entry of [...this.entries.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entry.state !== state || entry.store === null || entry.identity === null) continue;
      const store = entry.store;
      out.push({
        name: entry.name,
        state,
        version: entry.identity.version,
        sdk: { ...entry.identity.sdk },
        os_type: entry.identity.os_type,
        ...store.aggregates(),
        errors: store.errorsSection(),
        dropped: store.droppedCounts(),
      });
    }
    return out;
  }
}
