// The C hot loop of ingest (line-kernel.c), built by `npm install` (binding.gyp at the project root).
// When it is not built, or TOTALPLACE_NATIVE=0, lineKernel() is null and rows.ts converts plain lines in
// TypeScript instead: the same results, a few times slower.
import { createRequire } from 'node:module';

/** What run() stopped for (the C enum). */
export const KernelStatus = { Done: 0, Miss: 1, Slow: 2, OutFull: 3, CandidatesFull: 4, GroupsFull: 5 } as const;
/** Slots of the shared Int32Array state. */
export const KernelSlot = { K: 0, OutPos: 1, LineId: 2, Accepted: 3, MissCol: 4, MissS: 5, MissE: 6, Candidates: 7, NewGroups: 8, NextGid: 9, Size: 10 } as const;
export const CANDIDATE_FIELDS = 6;

export type KernelHandle = { readonly __kernel: unique symbol };

/** Sums by key, as foldCells gives them. */
export interface KernelSums { key: Float64Array; lines: Float64Array; pence: Float64Array }

export interface LineKernel {
  create(cfg: Int32Array, header: string | null, st: Int32Array, stF: Float64Array, cand: Float64Array, pend: Int32Array, ids: Int32Array): KernelHandle;
  setBatch(k: KernelHandle, text: string, start: Int32Array, end: Int32Array, line: Int32Array, count: number, delimiter: number): void;
  run(k: KernelHandle, out: Uint8Array): number;
  resolve(k: KernelHandle, valueId: number): void;
  setDate(k: KernelHandle, valueId: number, iso: string | null, monthSlot: number, fyStart: number): void;
  commitGroups(k: KernelHandle): void;
  addGroup(k: KernelHandle, gid: number, theme: number): void;
  setCutoff(k: KernelHandle, key: number, cutoff: number): void;
  /**
   * The tallies by (group, month), summed by rollup cell and month, service and supplier cell and year, and top
   * list (see foldCells in line-kernel.c); each group's lines and pence are added into gidLines/gidPence.
   */
  foldCells(k: KernelHandle, cells: Int32Array, monthFy: Int32Array, gidLines: Float64Array, gidPence: Float64Array): Record<'rollup' | 'service' | 'supplier' | 'top', KernelSums>;
  /** Frees the kernel's tables now; the handle cannot be used after. */
  release(k: KernelHandle): void;
}

let loaded: LineKernel | null | undefined;

export function lineKernel(): LineKernel | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  if (process.env.TOTALPLACE_NATIVE === '0') return loaded;
  try {
    loaded = createRequire(import.meta.url)('../../../build/Release/line_kernel.node') as LineKernel;
  } catch {
    loaded = null;
  }
  return loaded;
}
