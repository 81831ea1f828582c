import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past what survived the last full garbage collection
 * before it collects again: 50%. V8 chooses up to 300% on its own on a machine with 2 GB of memory
 * or more (it scales the factor with the machine, not with the app). Under load most of what this
 * app promotes to the old generation is request garbage (objects of the requests in flight that
 * outlive two young collections), so on a large machine the old space filled to three or four times
 * its live size before a full collection: on the county bench (issue 9) about 50 MB live but 170 MB
 * of old space, 305-390 MB RSS at peak. With 50% the peak was about 220 MB, for a few more full
 * collections (mostly concurrent marking).
 *
 * `--heap-growing-percent` is read by V8 at every full collection, so setting it once the process
 * runs takes effect; neither NODE_OPTIONS nor `--max-old-space-size` (fixed when the heap is created,
 * and a hard limit that ends the process when reached) can do that for every way the app starts.
 */
export const HEAP_GROWING_PERCENT = 50;

/**
 * Applies HEAP_GROWING_PERCENT, unless node was started with its own `--heap-growing-percent`
 * (an operator's choice wins). Returns the percentage in force, for the start-up log.
 */
export function limitHeapGrowth(execArgv: readonly string[] = process.execArgv): string {
  if (execArgv.some((arg) => /^--heap[-_]growing[-_]percent(=|$)/.test(arg))) return "node's own --heap-growing-percent";
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return `${HEAP_GROWING_PERCENT}%`;
}
