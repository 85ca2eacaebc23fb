// BullMQ's side of JobQueueBenchmark (benchmarks module): one round of the same four scenarios the Java main runs
// for jobs-redis and raw Lettuce, against the same Redis. JobQueueBenchmark runs it as a subprocess, once per round:
//
//   node bullmq-bench.mjs <redis-url> <jobs> <concurrency> <producers> <latency-samples> <delayed-jobs> <round>
//
// and reads the last line of its standard output: one JSON object with the round's figures (rates in jobs/s,
// latencies in ms, every sample, so that the Java side computes percentiles the same way for every contender).
// Job options mirror jobs-redis's defaults: 3 attempts, exponential backoff from 1 s, finished jobs kept 24 h.
import { Queue, Worker } from 'bullmq';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const [url, jobsArg, concurrencyArg, producersArg, samplesArg, delayedArg, roundArg] = process.argv.slice(2);
if (roundArg === undefined) {
  console.error('usage: node bullmq-bench.mjs <redis-url> <jobs> <concurrency> <producers> <latency-samples> <delayed-jobs> <round>');
  process.exit(2);
}
const jobs = Number(jobsArg);
const concurrency = Number(concurrencyArg);
const producers = Number(producersArg);
const samples = Number(samplesArg);
const delayedJobs = Number(delayedArg);
const round = Number(roundArg);

const parsed = new URL(url);
const connection = { host: parsed.hostname, port: Number(parsed.port || 6379), maxRetriesPerRequest: null };
const jobOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 24 * 3600 },
  removeOnFail: { age: 24 * 3600 },
};
const version = JSON.parse(readFileSync(new URL('./node_modules/bullmq/package.json', import.meta.url))).version;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A queue (the producer's own connection) and a worker (connections of its own) named for this round. */
async function open(scenario, processor) {
  const name = `bench-${scenario}-${round}`;
  const queue = new Queue(name, { connection, defaultJobOptions: jobOptions });
  await queue.waitUntilReady();
  const worker = processor === null ? null : new Worker(name, processor, { connection, concurrency });
  if (worker !== null) {
    await worker.waitUntilReady();
    await sleep(200); // let the worker reach its blocking wait: the scenarios start on an idle worker
  }
  return { queue, worker };
}

async function close({ queue, worker }) {
  if (worker !== null) {
    await worker.close();
  }
  await queue.close();
}

/** Enqueue + process: `producers` concurrent add() loops; time from the first add to the last completion. */
async function throughput() {
  let completed = 0;
  let allDone;
  const done = new Promise((resolve) => { allDone = resolve; });
  const pair = await open('throughput', async () => {});
  pair.worker.on('completed', () => {
    if (++completed === jobs) {
      allDone(performance.now());
    }
  });
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: producers }, async () => {
    while (next < jobs) {
      const i = next++;
      await pair.queue.add('tiny', { i });
    }
  }));
  const finished = await done;
  await close(pair);
  return jobs / ((finished - started) / 1000);
}

/** Bulk enqueue, no worker: addBulk() of 1,000 jobs at a time, one after the other. */
async function bulk() {
  const pair = await open('bulk', null);
  const started = performance.now();
  for (let from = 0; from < jobs; from += 1000) {
    const chunk = [];
    for (let i = from; i < Math.min(jobs, from + 1000); i++) {
      chunk.push({ name: 'tiny', data: { i } });
    }
    await pair.queue.addBulk(chunk);
  }
  const seconds = (performance.now() - started) / 1000;
  await close(pair);
  return jobs / seconds;
}

/** Enqueue-to-start on an idle worker: one job at a time, 10-20 ms apart. */
async function latency() {
  const starts = new Map();
  const pair = await open('latency', async (job) => { starts.get(job.data.i)(performance.now()); });
  const out = [];
  for (let i = 0; i < samples; i++) {
    const started = new Promise((resolve) => starts.set(i, resolve));
    const sent = performance.now();
    await pair.queue.add('tiny', { i });
    out.push((await started) - sent);
    await sleep(10 + Math.random() * 10);
  }
  await close(pair);
  return out;
}

/** Delayed jobs: `delayedJobs` jobs due 200-1,200 ms after their enqueue; how late each starts. */
async function delayed() {
  const due = new Map();
  const late = [];
  let allDone;
  const done = new Promise((resolve) => { allDone = resolve; });
  const pair = await open('delayed', async (job) => {
    late.push(performance.now() - due.get(job.data.i));
    if (late.length === delayedJobs) {
      allDone();
    }
  });
  for (let i = 0; i < delayedJobs; i++) {
    const delay = 200 + Math.floor(Math.random() * 1000);
    due.set(i, performance.now() + delay);
    await pair.queue.add('tiny', { i }, { delay });
  }
  await done;
  await close(pair);
  return late;
}

const result = {
  bullmq: version,
  node: process.version,
  throughput: await throughput(),
  bulk: await bulk(),
  latencyMs: await latency(),
  delayedLateMs: await delayed(),
};
console.log(JSON.stringify(result));
process.exit(0);
