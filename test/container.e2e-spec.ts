import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** Dockerfile instructions, continuation lines joined, comments dropped. */
function instructions(text: string): { keyword: string; args: string }[] {
  return text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [keyword, ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

/**
 * The container runs as a non-root user (issue 10 point 5), shown from the Dockerfile itself
 * (no Docker engine runs here): a multi-stage build whose final stage installs production
 * dependencies only, drops to an unprivileged USER before CMD, and probes /health/ready.
 */
describe('Dockerfile', () => {
  const all = instructions(readFileSync(resolve('Dockerfile'), 'utf8'));
  const stageStarts = all.map((ins, i) => (ins.keyword === 'FROM' ? i : -1)).filter((i) => i >= 0);
  const final = all.slice(stageStarts[stageStarts.length - 1]);

  it('is a multi-stage build', () => {
    expect(stageStarts.length).toBeGreaterThanOrEqual(2);
    expect(final.some((ins) => ins.keyword === 'COPY' && ins.args.startsWith('--from=build'))).toBe(true);
  });

  it('runs the final stage as a non-root user, set after the last RUN and before CMD', () => {
    const users = final.map((ins, i) => ({ ...ins, i })).filter((ins) => ins.keyword === 'USER');
    expect(users.length).toBeGreaterThan(0);
    const user = users[users.length - 1];
    const name = user.args.split(':')[0];
    expect(['root', '0', '']).not.toContain(name);
    const lastRun = Math.max(...final.map((ins, i) => (ins.keyword === 'RUN' ? i : -1)));
    const cmd = final.findIndex((ins) => ins.keyword === 'CMD');
    expect(user.i).toBeGreaterThan(lastRun);
    expect(cmd).toBeGreaterThan(user.i);
  });

  it('installs production dependencies only in the final stage and starts the compiled app', () => {
    const runs = final.filter((ins) => ins.keyword === 'RUN').map((ins) => ins.args);
    expect(runs.some((run) => /npm ci\b.*--omit=dev/.test(run))).toBe(true);
    expect(runs.some((run) => /npm (install|i)\b/.test(run))).toBe(false);
    expect(final.find((ins) => ins.keyword === 'CMD')!.args).toBe('["node", "dist/src/main.js"]');
  });

  it('has a HEALTHCHECK on /health/ready', () => {
    const check = final.find((ins) => ins.keyword === 'HEALTHCHECK');
    expect(check?.args).toMatch(/\/health\/ready/);
  });

  it('keeps secrets and local data out of the build context', () => {
    const ignored = readFileSync(resolve('.dockerignore'), 'utf8').split(/\r?\n/).map((l) => l.trim());
    expect(ignored).toEqual(expect.arrayContaining(['.env', 'data', 'node_modules', '.git']));
  });
});
