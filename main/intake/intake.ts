import { AttributeReader } from './ingest-attributes.js';
import { ingestLogs } from './ingest-logs.js';
import { ingestMetrics, type IngestDeps, type IngestOutcome } from './ingest-metrics.js';
import { resolveLimits, type IntakeLimits } from './limits.js';
import { decodeRequest, type Encoding, type Signal } from './otlp-codec.js';
import { startOtlpServer, type OtlpServer } from './otlp-server.js';
import { machineIdentifiers, NameChecker } from './safe-names.js';
import { SourceRegistry, type OperatorSources, type RawSourceSection, type SourceAnswer, type SourceInfo } from './source-registry.js';

// The intake as the agent sees it: an OTLP/HTTP receiver on 127.0.0.1 and the sources
// it has met, with their answers. Pure Node, no agent state: the agent passes the
// operator's config and the person's persisted answers in, persists new answers through
// `onAnswer`, and reads rawSources() (allowed) / pendingPreview() (pending) when it
// builds a report or a preview.

export interface IntakeOptions {
  /** intake.otlp.port (default 4318; 0 = any free port). */
  port: number;
  /** intake.sources.allow / deny / <name>.categories from the operator's config. */
  operator?: Partial<OperatorSources>;
  /** The person's answers as persisted (settings `sources`). */
  answers?: Readonly<Record<string, SourceAnswer>>;
  /** Called with each new answer of the person, to persist it (settings `sources`); when it throws, the answer is not taken. */
  onAnswer?: (name: string, answer: SourceAnswer) => void;
  limits?: Partial<IntakeLimits>;
  /** More of this machine's identifiers to keep out of names (host name, user name and home folder are always checked). */
  machineIdentifiers?: readonly string[];
  now?: () => Date;
}

export interface IntakeStats {
  port: number | null;
  /** Answers given, by what happened: ok, partial, bad_request, too_large, unsupported, refused_origin, traces_refused, shed_busy, shed_memory, ... */
  requests: Record<string, number>;
  /** Data points and log records refused before reaching a source: service_name_missing, service_name_unsafe, too_many_sources, memory_limit. */
  refused: Record<string, number>;
  memory: { estimated_bytes: number; max_bytes: number };
  limits: IntakeLimits;
}

export interface Intake {
  /** Starts listening on 127.0.0.1; rejects (EADDRINUSE, EACCES) when the port cannot be had. */
  start(): Promise<{ port: number }>;
  close(): Promise<void>;
  /** Every source met since the start or answered (persisted or by the operator), by name. */
  sources(): SourceInfo[];
  /** The person's answer; persisted through onAnswer. Throws RangeError for a name that cannot be a source. */
  answer(name: string, state: 'allowed' | 'denied'): SourceInfo;
  /** The person's answers changed elsewhere (settings written by another process). */
  syncAnswers(answers: Readonly<Record<string, SourceAnswer>>): void;
  /** Allowed sources with data: the `sources` section of a report, RAW (the payload rules hash and coarsen). */
  rawSources(): RawSourceSection[];
  /** Pending sources with data: shown in the preview as waiting, never sent. */
  pendingPreview(): RawSourceSection[];
  /** Called when a source appears or its state changes (not on every data point). */
  onChange(listener: () => void): () => void;
  stats(): IntakeStats;
  /** Takes one request body as the HTTP route would (for tests and benchmarks); throws BadRequest. */
  ingest(signal: Signal, encoding: Encoding, body: Uint8Array): IngestOutcome;
}

function count(map: Map<string, number>, key: string, n = 1): void {
  map.set(key, (map.get(key) ?? 0) + n);
}

export function createIntake(options: IntakeOptions): Intake {
  const limits = resolveLimits(options.limits);
  const now = options.now ?? (() => new Date());
  const names = new NameChecker(machineIdentifiers(options.machineIdentifiers));
  const operator: OperatorSources = {
    allow: options.operator?.allow ?? [],
    deny: options.operator?.deny ?? [],
    categories: options.operator?.categories ?? {},
  };
  const registry = new SourceRegistry(limits, names, operator, options.answers ?? {}, now);
  const deps: IngestDeps = { registry, names, limits, attributes: new AttributeReader(names, limits) };
  const requests = new Map<string, number>();
  let server: OtlpServer | null = null;

  const ingest = (signal: Signal, encoding: Encoding, body: Uint8Array): IngestOutcome => {
    const request = decodeRequest(signal, encoding, body);
    return signal === 'metrics' ? ingestMetrics(request, deps) : ingestLogs(request, deps);
  };

  return {
    async start() {
      if (server !== null) return { port: server.port };
      server = await startOtlpServer({ port: options.port, limits, handle: ingest, onAnswer: (what) => count(requests, what) });
      return { port: server.port };
    },
    async close() {
      const s = server;
      server = null;
      await s?.close();
    },
    sources: () => registry.list(),
    answer(name, state) {
      registry.answer(name, state, (answer) => options.onAnswer?.(name, answer));
      return registry.info(name);
    },
    syncAnswers: (answers) => registry.syncAnswers(answers),
    rawSources: () => registry.sections('allowed'),
    pendingPreview: () => registry.sections('pending'),
    onChange: (listener) => registry.onChange(listener),
    stats: () => ({
      port: server?.port ?? null,
      requests: Object.fromEntries(requests),
      refused: Object.fromEntries(registry.refused),
      memory: { estimated_bytes: registry.budget.used, max_bytes: registry.budget.max },
      limits,
    }),
    ingest,
  };
}
