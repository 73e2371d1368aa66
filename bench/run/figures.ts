/** The figures a run measures, each with its target, and how they are printed. */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { OPTIONS, SIZE } from './options.ts';

export interface Figure {
  name: string;
  value: number | null;
  unit: string;
  target: string;
  /** value / target, oriented so that >= 1 meets the target. */
  ratio: number | null;
  note?: string;
}
export const figures: Figure[] = [];
export const atMost = (name: string, value: number, unit: string, limit: number, note?: string) =>
  figures.push({
    name,
    value,
    unit,
    target: `<= ${limit} ${unit}`,
    ratio: value === 0 ? Infinity : limit / value,
    ...(note ? { note } : {}),
  });
/** A throughput that must reach `factor` times a peer's, measured in this run. */
export const againstPeer = (
  name: string,
  value: number,
  peer: { name: string; requestsPerSecond: number },
  factor: number,
  note: string,
) =>
  figures.push({
    name,
    value: Math.round(value),
    unit: 'req/s',
    target: `>= ${factor}x ${peer.name} (${Math.round(peer.requestsPerSecond)} req/s here)`,
    ratio: value / (factor * peer.requestsPerSecond),
    note: `${(value / peer.requestsPerSecond).toFixed(2)}x ${peer.name}; ${note}`,
  });
/** A fraction of a ceiling measured in this run (yardstick), with the share it must reach. */
export const ofCeiling = (name: string, value: number, ceiling: number, share: number, what: string) =>
  figures.push({
    name,
    value: Math.round((value / ceiling) * 100),
    unit: '%',
    target: `>= ${share * 100}% of ${what} (${Math.round(ceiling)}/s here)`,
    ratio: value / (share * ceiling),
  });
/** An information figure: no target. */
export const inform = (name: string, value: number, unit: string, note?: string) =>
  figures.push({ name, value, unit, target: 'information', ratio: null, ...(note ? { note } : {}) });

export function printFigures() {
  const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  console.log(`\nBenchmarks (${OPTIONS.quick ? 'quick' : 'full'}) on ${machine}\n`);
  for (const f of figures) {
    const value = f.value === null ? 'not measured' : `${f.value} ${f.unit}`;
    // The ratio is oriented so that 1 is the target: x0.50 means half the throughput asked
    // for, or twice the time allowed.
    const verdict = f.ratio === null ? '' : `${f.ratio >= 1 ? 'meets' : 'MISSES'} (x${f.ratio.toFixed(2)} of target)`;
    console.log(
      `${f.name.padEnd(78)} ${value.padStart(14)}   target ${f.target.padEnd(36)} ${verdict}${f.note ? `   (${f.note})` : ''}`,
    );
  }
  if (OPTIONS.json) writeFileSync(OPTIONS.json, JSON.stringify({ machine, size: SIZE, figures }, null, 2));
}
