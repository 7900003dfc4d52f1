import { join } from 'node:path';
import { DeletionQueue } from '../send/deletion.js';
import type { Ledger } from '../send/ledger.js';
import type { Outbox } from '../send/outbox.js';
import { Scheduler } from '../send/scheduler.js';
import { Sender } from '../send/sender.js';
import { Serial } from '../send/serial.js';
import { log } from '../util/log.js';
import { USER_AGENT } from '../version.js';
import type { ReportBuilder } from './report-builder.js';
import type { RunState } from './run-state.js';
import type { AgentTiming } from './timing.js';

export interface DeliveryParts {
  dataDir: string;
  run: RunState;
  outbox: Outbox;
  ledger: Ledger;
  reports: ReportBuilder;
  timing: AgentTiming;
  onChange: () => void;
}

/**
 * Everything that makes bytes leave: the scheduled report, the outbox sender and the
 * deletion queue, each behind the effective state. Deletion requests carry only ids
 * and are the one thing sent after consent is revoked; an operator's switch (env,
 * config, CLI flag, DO_NOT_TRACK) still stops them.
 */
export class Delivery {
  readonly sender: Sender;
  readonly deletion: DeletionQueue;
  readonly scheduler: Scheduler;
  /** Queueing a report and discarding the queue (consent revoked) never interleave. */
  readonly outboxOps = new Serial();
  private ticker: NodeJS.Timeout | null = null;
  private wasSending: boolean;
  private pending = 0;
  private pendingDeletions = 0;

  constructor(private readonly parts: DeliveryParts) {
    const { run, timing } = parts;
    const config = run.config.config;
    this.sender = new Sender({
      outbox: parts.outbox,
      ledger: parts.ledger,
      endpoint: () => run.endpoint(),
      gate: () => run.effective(),
      userAgent: USER_AGENT,
      timing: (ms) => timing.upload.record(ms),
      onStateChange: () => parts.onChange(),
    });
    this.deletion = new DeletionQueue({
      dir: join(parts.dataDir, 'deletion'),
      endpoint: () => config.telemetry.deletion_endpoint,
      gate: () => !run.operatorOff(),
      userAgent: USER_AGENT,
    });
    this.scheduler = new Scheduler({
      firstDelayMs: config.telemetry.first_delay_s * 1000,
      intervalMs: config.telemetry.interval_s * 1000,
      produce: () => this.sendNow(),
    });
    this.wasSending = run.effective().sending;
  }

  /** Reports waiting in the outbox, as of the last look (once a second). */
  get outboxPending(): number {
    return this.pending;
  }

  /** Deletion requests waiting to be delivered, as of the last look (once a second). */
  get deletionsPending(): number {
    return this.pendingDeletions;
  }

  /** Build and queue a report at the configured level, then try to deliver. */
  async sendNow(): Promise<void> {
    const { run, reports, outbox } = this.parts;
    if (!run.effective().sending) return;
    const consentAt = run.settings.get().consent.at;
    const { result, markQueued } = await reports.build(run.config.config.telemetry.details_level, true);
    await this.outboxOps.run(async () => {
      // Building took time: a switch or a new consent answer (here or from another
      // process) in the meantime means this report was built without permission.
      if (!run.effective().sending || run.settings.get().consent.at !== consentAt) return;
      // Write-ahead (issue 10 item 4): the id is on disk before a report under it can leave,
      // so a deletion request can always name it. No record, no report.
      try {
        this.parts.ledger.recordIdDurably(result.payload.id);
      } catch (error) {
        log.error(`telemetry report not queued: its instance id could not be recorded first (${(error as Error).message})`);
        return;
      }
      await outbox.add(JSON.stringify(result.payload));
      // Queued (on disk): the errors it carries will be delivered; a restart must not queue them again.
      markQueued();
    });
    await this.sender.flush();
  }

  /** Something changed that may open or close the gate: the senders judge it themselves. */
  wake(): void {
    this.sender.wake();
    this.deletion.wake();
    this.wasSending = this.parts.run.effective().sending;
  }

  start(): void {
    this.sender.start();
    this.scheduler.start();
    this.deletion.start();
    // A timed pause running out has no event of its own; a cheap once-a-second look
    // catches it and wakes the senders, so queued reports go out at once.
    this.ticker = setInterval(() => this.tick(), 1000);
    this.ticker.unref();
  }

  async stop(): Promise<void> {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
    this.scheduler.stop();
    await this.sender.stop();
    this.deletion.stop();
  }

  private tick(): void {
    const sendingNow = this.parts.run.effective().sending;
    if (sendingNow && !this.wasSending) {
      this.sender.wake();
      this.deletion.wake();
    }
    this.wasSending = sendingNow;
    void Promise.all([this.parts.outbox.list(), this.deletion.pending()]).then(
      ([list, deletions]) => {
        this.pending = list.length;
        this.pendingDeletions = deletions;
        this.parts.onChange();
      },
      () => undefined,
    );
  }
}
