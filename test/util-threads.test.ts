import { test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import { Worker } from 'node:worker_threads';

test('a worker thread can lower its own CPU priority without lowering the main thread', { skip: process.platform !== 'linux' && 'Linux only' }, async () => {
  const before = os.getPriority(0);
  const worker = new Worker(`
    const os = require('node:os');
    const { parentPort } = require('node:worker_threads');
    os.setPriority(0, Math.max(os.getPriority(0), 10));
    parentPort.postMessage(os.getPriority(0));`, { eval: true });
  const inWorker = await new Promise<number>((resolve) => worker.once('message', resolve));
  await worker.terminate();
  assert.equal(inWorker, Math.max(before, 10));
  assert.equal(os.getPriority(0), before, 'the main thread keeps its priority');
});
