import { open } from 'node:fs/promises';

/**
 * Durability without holding the event loop: commits are written to the WAL with
 * synchronous=NORMAL (no fsync of their own), then `sync()` fsyncs the WAL file on libuv's
 * thread pool and resolves once every frame written before the call is on disk. Callers answer
 * only after it resolves, so what they acknowledge survives a power cut exactly as with
 * synchronous=FULL; meanwhile the loop goes on parsing and committing the next requests.
 *
 * Calls share fsyncs: one that arrives while an fsync runs waits for the next one (the running
 * one may have started before its commit), and every call that arrives meanwhile shares that
 * next one. SQLite's NORMAL mode keeps checkpoints safe on its own: it syncs the WAL before a
 * checkpoint, the database after it, and the WAL header when the file is reused.
 *
 * The file is opened for each fsync, so a WAL truncated or recreated by a checkpoint is still
 * the one synced.
 */
export function walSyncer(databasePath: string, fsync: (path: string) => Promise<void> = fsyncFile) {
  const walPath = `${databasePath}-wal`;
  let running: Promise<void> | undefined;
  let next: Promise<void> | undefined;
  const start = (): Promise<void> => {
    running = fsync(walPath).finally(() => {
      running = undefined;
    });
    return running;
  };
  return function sync(): Promise<void> {
    if (!running) return start();
    next ??= running
      .catch(() => {})
      .then(() => {
        next = undefined;
        return start();
      });
    return next;
  };
}

async function fsyncFile(path: string): Promise<void> {
  const file = await open(path, 'r');
  try {
    await file.sync();
  } finally {
    await file.close();
  }
}
