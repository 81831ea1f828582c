import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { HEAP_GROWING_PERCENT, limitHeapGrowth } from './heap-growth';

/**
 * A child node process (V8 flags are per process) keeps about 45 MB live and then allocates
 * request-like garbage: 256 slots of objects, each replaced round-robin, so that much of it outlives
 * two young collections and is promoted, as under many concurrent requests. It prints the old
 * space's largest size and its live size at the end. `limit` loads this module and applies
 * limitHeapGrowth(); the control runs with --heap-growing-percent=300, the growth V8 allows itself
 * on a machine with 2 GB of memory or more.
 */
const CHILD = `
const v8 = require('node:v8');
if (process.argv[1] === 'limit') require(${JSON.stringify(resolve('src/common/heap/heap-growth.ts'))}).limitHeapGrowth();
const live = Array.from({ length: 300000 }, (_, i) => ({ i, s: 'x' + i, a: [i, i] }));
const slots = new Array(256);
const oldSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'old_space');
let peak = 0;
for (let n = 0; n < 8000; n++) {
  slots[n % 256] = Array.from({ length: 1000 }, (_, i) => ({ n, i, s: 'r' + i }));
  if (n % 20 === 0) peak = Math.max(peak, oldSpace().space_size);
}
slots.fill(undefined);
globalThis.gc();
process.stdout.write(JSON.stringify({ peakMb: peak / 1048576, liveMb: oldSpace().space_used_size / 1048576, kept: live.length }));
`;

function run(nodeFlags: string[], mode: 'limit' | 'control'): { peakMb: number; liveMb: number } {
  const out = execFileSync(process.execPath, [...nodeFlags, '--expose-gc', '-r', 'ts-node/register/transpile-only', '-e', CHILD, mode], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return JSON.parse(out) as { peakMb: number; liveMb: number };
}

describe('limitHeapGrowth', () => {
  it('keeps the old space far below what V8 lets it grow to on a large machine, under promoted request garbage', () => {
    const control = run(['--heap-growing-percent=300'], 'control');
    const limited = run([], 'limit');
    // eslint-disable-next-line no-console
    console.log(
      `old space peak: ${limited.peakMb.toFixed(0)} MB with ${HEAP_GROWING_PERCENT}% growth, ${control.peakMb.toFixed(0)} MB with 300%, ` +
        `for ${limited.liveMb.toFixed(0)} MB live`,
    );
    // The workload does fill the old space with garbage when growth is allowed...
    expect(control.peakMb - control.liveMb).toBeGreaterThan(2 * control.liveMb);
    // ...and with the limit applied, the garbage on top of the live heap is well under half of that.
    expect(limited.peakMb - limited.liveMb).toBeLessThan(0.6 * (control.peakMb - control.liveMb));
  }, 240_000);

  it("leaves node's own --heap-growing-percent in force", () => {
    expect(limitHeapGrowth(['--heap-growing-percent=20'])).toBe("node's own --heap-growing-percent");
    expect(limitHeapGrowth(['--heap_growing_percent=20'])).toBe("node's own --heap-growing-percent");
    expect(limitHeapGrowth(['--max-old-space-size=512'])).toBe(`${HEAP_GROWING_PERCENT}%`);
  });
});
