// Measures devalue's stringify and parse on Node for the session payload that
// Tote.Benchmarks writes (`--write-payload <file>`), so that Tote.Devalue can be compared
// with the JavaScript implementation it mirrors.
//
// Usage: node bench.mjs <payload.devalue> [--warmup-ms 2000] [--time-ms 5000]
// Prints one JSON object on stdout; warnings go to stderr.

import { readFileSync } from 'node:fs';
import { parse, stringify } from 'devalue';

// devalue's package.json is not exported; read the installed copy's version directly.
const devalueVersion = JSON.parse(
  readFileSync(new URL('./node_modules/devalue/package.json', import.meta.url), 'utf8'),
).version;

function usage(message) {
  process.stderr.write(`${message}\nusage: node bench.mjs <payload.devalue> [--warmup-ms N] [--time-ms N]\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
let file;
let warmupMs = 2000;
let timeMs = 5000;
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  if (arg === '--warmup-ms' || arg === '--time-ms') {
    const value = Number(args[++i]);
    if (!Number.isFinite(value) || value <= 0) usage(`${arg} needs a positive number`);
    if (arg === '--warmup-ms') warmupMs = value;
    else timeMs = value;
  } else if (file === undefined) {
    file = arg;
  } else {
    usage(`unexpected argument ${arg}`);
  }
}
if (file === undefined) usage('missing payload file');

// Astro's sessions store URLs with a custom reducer: ["URL", index] with the href as a
// separate string entry. Tote.Devalue writes that form by default, so use the same pair here.
const reducers = { URL: (v) => v instanceof URL && v.href };
const revivers = { URL: (href) => new URL(href) };

const text = readFileSync(file, 'utf8').replace(/\n$/, '');
const value = parse(text, revivers);

const again = stringify(value, reducers);
const roundTripExact = again === text;
if (!roundTripExact) {
  let at = 0;
  while (at < text.length && text[at] === again[at]) at++;
  process.stderr.write(
    `WARNING: stringify(parse(text)) differs from the payload text at character ${at}:\n` +
      `  payload: ${JSON.stringify(text.slice(Math.max(0, at - 40), at + 40))}\n` +
      `  node:    ${JSON.stringify(again.slice(Math.max(0, at - 40), at + 40))}\n`,
  );
}

// Something the measured calls feed, so that no engine can drop them as dead code.
let sink = 0;

const operations = {
  Serialize: () => {
    sink += stringify(value, reducers).length;
  },
  Deserialize: () => {
    const v = parse(text, revivers);
    sink += v === undefined ? 0 : 1;
  },
};

// Runs `op` in batches until `budgetMs` has passed; returns every batch's ns/op.
function run(op, budgetMs) {
  // Size batches to roughly 10 ms so the timer's own cost is negligible.
  let batch = 1;
  for (;;) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) op();
    const ns = Number(process.hrtime.bigint() - t0);
    if (ns >= 10e6 || batch >= 1 << 20) break;
    batch *= 2;
  }

  const samples = [];
  let iterations = 0;
  let totalNs = 0;
  const end = process.hrtime.bigint() + BigInt(Math.round(budgetMs * 1e6));
  while (process.hrtime.bigint() < end) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) op();
    const ns = Number(process.hrtime.bigint() - t0);
    samples.push(ns / batch);
    iterations += batch;
    totalNs += ns;
  }
  return { samples, iterations, totalNs };
}

function summarize(name, { samples, iterations, totalNs }) {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = totalNs / iterations;
  const median = sorted[Math.floor(sorted.length / 2)];
  const variance = samples.reduce((s, x) => s + (x - mean) ** 2, 0) / Math.max(1, samples.length - 1);
  return {
    operation: name,
    meanNs: Math.round(mean),
    medianNs: Math.round(median),
    stdDevNs: Math.round(Math.sqrt(variance)),
    opsPerSec: Math.round(1e9 / mean),
    iterations,
    batches: samples.length,
  };
}

// Warm up both operations together so the JIT has seen every path before timing starts.
for (const op of Object.values(operations)) run(op, warmupMs / 2);

const results = [];
for (const [name, op] of Object.entries(operations)) {
  results.push(summarize(name, run(op, timeMs)));
}

process.stdout.write(
  `${JSON.stringify(
    {
      runtime: `node ${process.version}`,
      devalue: devalueVersion,
      payloadChars: text.length,
      roundTripExact,
      warmupMs,
      timeMs,
      results,
      sink: sink > 0,
    },
    null,
    2,
  )}\n`,
);
