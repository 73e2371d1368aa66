import type Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * The worker's code, plain JavaScript (evaluated, so it needs no TypeScript loader in any
 * runner): its own connection to the file, a PASSIVE checkpoint every `intervalMs`. PASSIVE
 * never waits for a reader or a writer: it copies what it can and tries again next time.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 0');
db.pragma('cache_size = -512');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    // Busy or locked: next time. Anything else (read-only, I/O, a file gone) ends the thread,
    // and the connection goes back to checkpointing itself.
    if (err.code !== 'SQLITE_BUSY' && err.code !== 'SQLITE_LOCKED') throw err;
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
  db.close();
  parentPort.close();
});
`;

/** SQLite's own threshold, restored on a connection whose checkpointer is gone. */
const AUTOCHECKPOINT_PAGES = 1000;

/**
 * Checkpoints a WAL database from a worker thread, not from the connection's commits.
 *
 * SQLite checkpoints on the commit that takes the log past 1,000 pages: that commit copies
 * the pages into the database file and waits for two fsyncs, on the event loop, while every
 * other request waits (about every 250 exchanges; the exchange's own commit needs no fsync).
 * Here the connection never checkpoints itself (`wal_autocheckpoint = 0`) and a thread of its
 * own does, on the other core. What a commit makes durable is unchanged: a commit's
 * durability is its own `synchronous` setting, not the checkpoint's.
 *
 * Should the thread fail or exit, the connection checkpoints itself again as SQLite does by
 * default, so the log never grows without bound. Returns the function that stops it.
 */
export function checkpointInBackground(db: Database.Database, path: string, intervalMs = 250): () => Promise<void> {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { path, intervalMs, driver: createRequire(import.meta.url).resolve('better-sqlite3') },
    // Its own connection and a timer: a small heap is plenty.
    resourceLimits: { maxOldGenerationSizeMb: 16 },
  });
  worker.unref();
  let stopped = false;
  const fallBack = () => {
    if (db.open) db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
  };
  worker.once('error', fallBack);
  worker.once('exit', () => {
    if (!stopped) fallBack();
  });
  db.pragma('wal_autocheckpoint = 0');
  return async () => {
    if (stopped) return;
    stopped = true;
    // Held referenced while it finishes: a caller awaiting this with nothing else pending (a
    // script's last `await store.close()`) must not see its event loop run dry and exit.
    worker.ref();
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.postMessage('stop');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 2_000)))]);
    clearTimeout(timer);
    await worker.terminate();
    fallBack();
  };
}
