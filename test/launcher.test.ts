// bin/totalplace.js runs the compiled CLI (dist/) only while it is newer than every source file, else the
// TypeScript sources: checked on a throwaway copy of the launcher with two stand-in CLIs that say which ran.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { projectRoot } from '../src/config.ts';

test('the launcher runs dist/ while it is current, and the sources when any source is newer or it is asked to', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tp-launcher-'));
  try {
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.copyFileSync(path.join(projectRoot, 'bin', 'totalplace.js'), path.join(dir, 'bin', 'totalplace.js'));
    fs.symlinkSync(path.join(projectRoot, 'node_modules'), path.join(dir, 'node_modules'));
    fs.writeFileSync(path.join(dir, 'package.json'), '{"type": "module"}');
    const write = (file: string, text: string, at: number) => {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), text);
      fs.utimesSync(path.join(dir, file), at, at);
    };
    const t0 = Date.now() / 1000 - 3600;
    write('src/cli/main.ts', 'export async function main(argv: string[]): Promise<void> { console.log(`src ${argv.slice(2).join(" ")}`); }\n', t0);
    write('src/deep/er/other.ts', 'export const x: number = 1;\n', t0);
    const which = (env: Record<string, string> = {}) => {
      const r = spawnSync(process.execPath, [path.join(dir, 'bin', 'totalplace.js'), 'a', 'b'], { env: { ...process.env, TOTALPLACE_FROM_SOURCE: '', ...env }, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim();
    };

    assert.equal(which(), 'src a b', 'no dist/: the sources');
    write('dist/cli/main.js', 'export async function main(argv) { console.log(`dist ${argv.slice(2).join(" ")}`); }\n', t0 + 10);
    assert.equal(which(), 'src a b', 'dist/ without its stamp (a build that did not finish): the sources');
    write('dist/.built', 'built\n', t0 + 10);
    assert.equal(which(), 'dist a b', 'a stamp newer than every source: dist/');
    assert.equal(which({ TOTALPLACE_FROM_SOURCE: '1' }), 'src a b', 'TOTALPLACE_FROM_SOURCE=1: the sources');
    fs.utimesSync(path.join(dir, 'src/deep/er/other.ts'), t0 + 20, t0 + 20);
    assert.equal(which(), 'src a b', 'a source file edited after the build, however deep: the sources');
    fs.utimesSync(path.join(dir, 'dist/.built'), t0 + 30, t0 + 30);
    assert.equal(which(), 'dist a b', 'rebuilt: dist/ again');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
