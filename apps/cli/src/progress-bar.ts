/** Where a progress bar writes and whether it may redraw one line in place. */
export interface ProgressSink {
  readonly write: (text: string) => void;
  /** True on an interactive terminal (redraws with \r); false in CI and pipes (plain lines). */
  readonly interactive: boolean;
}

/** One progress update: what is done of how much, plus free-form figures (loss, lr…). */
export interface ProgressUpdate {
  readonly done: number;
  readonly total: number;
  readonly detail?: string;
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '?';
  if (s < 60) return `${Math.round(s)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.round(s - m * 60)).padStart(2, '0')}s`;
}

/**
 * A progress bar with ETA: redrawn in place on a terminal, printed as plain lines (at most one per 5 %
 * and per `minIntervalMs`) elsewhere, so CI logs stay readable.
 */
export function createProgressBar(label: string, sink: ProgressSink, minIntervalMs = 2000) {
  const started = Date.now();
  let lastLine = 0;
  let lastPercent = -5;
  return {
    update({ done, total, detail }: ProgressUpdate): void {
      const fraction = total > 0 ? Math.min(1, done / total) : 0;
      const elapsed = (Date.now() - started) / 1000;
      const eta = done > 0 ? (elapsed / done) * (total - done) : Number.NaN;
      const width = 24;
      const filled = Math.round(fraction * width);
      const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
      const text = `${label} ${bar} ${done}/${total} ${(fraction * 100).toFixed(0)}% ETA ${formatSeconds(eta)}${detail ? ` ${detail}` : ''}`;
      if (sink.interactive) {
        sink.write(`\r\x1b[2K${text}${done >= total ? '\n' : ''}`);
        return;
      }
      const percent = fraction * 100;
      const now = Date.now();
      if (done >= total || (percent - lastPercent >= 5 && now - lastLine >= minIntervalMs)) {
        sink.write(`${text}\n`);
        lastLine = now;
        lastPercent = percent;
      }
    },
  };
}

/** Whether progress may redraw in place: stderr is a terminal and this is not CI (`ci`: the CLI's `CI`). */
export function isInteractive(ci: boolean): boolean {
  return Boolean(process.stderr.isTTY) && !ci;
}

/**
 * One progress bar per named stage, created on the stage's first update: the `onProgress` callback that
 * multi-stage work (`trainRelease`: reading, generating, training…) reports to.
 */
export function stageProgress(write: (text: string) => void, interactive: boolean) {
  const bars = new Map<string, ReturnType<typeof createProgressBar>>();
  return (stage: string, done: number, total: number, detail?: string): void => {
    let bar = bars.get(stage);
    if (!bar) {
      bar = createProgressBar(stage, { write, interactive });
      bars.set(stage, bar);
    }
    bar.update({ done, total, ...(detail ? { detail } : {}) });
  };
}
