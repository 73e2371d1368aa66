/** Runs `stop` once on SIGINT or SIGTERM, then exits. */
export function stopOnSignals(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = async () => {
    if (stopping) return;
    stopping = true;
    await stop();
    process.exit(0);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

/**
 * Diagnostics: started with --expose-gc, SIGUSR2 runs a full garbage collection and logs the
 * memory left, so a soak can tell a leak from a heap that simply has not been collected yet.
 */
export function reportMemoryAfterGcOnSignal(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return;
  process.on('SIGUSR2', () => {
    gc();
    const { heapUsed, rss, external } = process.memoryUsage();
    process.stdout.write(
      `${JSON.stringify({ time: new Date().toISOString(), level: 'info', msg: 'memory after gc', heapUsed, rss, external })}\n`,
    );
  });
}
