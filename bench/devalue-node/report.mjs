// Builds the devalue benchmark's summary table from BenchmarkDotNet's JSON report and the
// Node benchmark's output, and checks the performance budget (bench/README.md).
//
// Usage: node report.mjs --bdn <report-brief.json> --node-typed <json> --node-astro <json> [--job <name>] [--load <text>]
// Prints markdown on stdout; exits 0 whether or not the budget holds (the verdict is printed).

import { readFileSync } from 'node:fs';

const args = {};
for (let i = 2; i < process.argv.length; i += 2) {
  args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
}
for (const required of ['bdn', 'node-typed', 'node-astro']) {
  if (!args[required]) {
    process.stderr.write(`missing --${required}\n`);
    process.exit(2);
  }
}

const bdn = JSON.parse(readFileSync(args.bdn, 'utf8'));
const nodeTyped = JSON.parse(readFileSync(args['node-typed'], 'utf8'));
const nodeAstro = JSON.parse(readFileSync(args['node-astro'], 'utf8'));

// Benchmark method name -> [operation, implementation, which payload text it handles].
const methods = {
  SerializeSystemTextJson: ['Serialize', 'System.Text.Json typed', 'json'],
  SerializeDevalueTyped: ['Serialize', 'Tote.Devalue typed', 'typed'],
  SerializeDevalueUntyped: ['Serialize', 'Tote.Devalue untyped', 'astro'],
  DeserializeSystemTextJson: ['Deserialize', 'System.Text.Json typed', 'json'],
  DeserializeDevalueTyped: ['Deserialize', 'Tote.Devalue typed', 'typed'],
  DeserializeDevalueUntyped: ['Deserialize', 'Tote.Devalue untyped', 'astro'],
};

const rows = [];
for (const b of bdn.Benchmarks ?? []) {
  const method = methods[b.Method];
  if (!method || !b.Statistics) continue;
  rows.push({
    operation: method[0],
    implementation: method[1],
    text: method[2],
    meanNs: b.Statistics.Mean,
    allocated: b.Memory?.BytesAllocatedPerOperation,
  });
}
for (const [node, text, label] of [
  [nodeTyped, 'typed', 'devalue on Node (typed text)'],
  [nodeAstro, 'astro', 'devalue on Node (Astro Map text)'],
]) {
  for (const r of node.results) {
    rows.push({ operation: r.operation, implementation: label, text, meanNs: r.meanNs, allocated: undefined, node: true });
  }
}

// Baseline first, then the codec, then Node.
const order = ['System.Text.Json typed', 'Tote.Devalue typed', 'Tote.Devalue untyped'];
const rank = (r) => (r.node ? order.length + (r.text === 'astro' ? 1 : 0) : order.indexOf(r.implementation));
rows.sort((a, b) => rank(a) - rank(b));

const find = (operation, implementation) => rows.find((r) => r.operation === operation && r.implementation === implementation);
const nodeFor = (operation, text) =>
  rows.find((r) => r.node && r.operation === operation && r.text === (text === 'astro' ? 'astro' : 'typed'));

function time(ns) {
  if (ns === undefined || Number.isNaN(ns)) return 'n/a';
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(2)} μs`;
  return `${ns.toFixed(1)} ns`;
}
function bytes(b) {
  if (b === undefined) return 'n/a';
  if (b >= 1024 * 1024) return `${(b / 1024 / 1024).toFixed(2)} MB`;
  if (b >= 1024) return `${(b / 1024).toFixed(2)} KB`;
  return `${b} B`;
}
const ratio = (a, b) => (a === undefined || b === undefined || !b ? 'n/a' : `${(a / b).toFixed(2)}`);

const lines = [];
lines.push(`Job: ${args.job ?? 'default'}; ${bdn.HostEnvironmentInfo?.ProcessorName ?? 'unknown CPU'}, ` +
  `${bdn.HostEnvironmentInfo?.LogicalCoreCount ?? '?'} logical cores; ` +
  `${bdn.HostEnvironmentInfo?.RuntimeVersion ?? ''}; ${nodeTyped.runtime}, devalue ${nodeTyped.devalue}.`);
if (args.load) lines.push(`Load average (1, 5, 15 min): ${args.load}; on a busy machine compare ratios, not absolute times.`);
lines.push(`Payload: typed devalue text ${nodeTyped.payloadChars} chars, Astro Map text ${nodeAstro.payloadChars} chars.`);
lines.push('Ratios are this row / reference (lower is better). "vs Node" compares with devalue on Node handling the same text.');
lines.push('');
lines.push('| operation | implementation | mean | allocated | time vs STJ | alloc vs STJ | time vs Node |');
lines.push('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
for (const operation of ['Serialize', 'Deserialize']) {
  const stj = find(operation, 'System.Text.Json typed');
  for (const r of rows.filter((x) => x.operation === operation)) {
    const node = r.node ? undefined : nodeFor(operation, r.text);
    lines.push(
      `| ${operation} | ${r.implementation} | ${time(r.meanNs)} | ${bytes(r.allocated)} | ` +
        `${ratio(r.meanNs, stj?.meanNs)} | ${r.node ? 'n/a' : ratio(r.allocated, stj?.allocated)} | ` +
        `${r.node ? '—' : ratio(r.meanNs, node?.meanNs)} |`,
    );
  }
}

lines.push('');
lines.push('Budget for Tote.Devalue typed: time and allocations within 1.5× System.Text.Json, at least 2× faster than devalue on Node.');
let allHold = true;
for (const operation of ['Serialize', 'Deserialize']) {
  const stj = find(operation, 'System.Text.Json typed');
  const typed = find(operation, 'Tote.Devalue typed');
  const node = nodeFor(operation, 'typed');
  if (!stj || !typed || !node) {
    lines.push(`- ${operation}: missing results, budget not checked`);
    allHold = false;
    continue;
  }
  const checks = [
    ['time vs STJ', typed.meanNs / stj.meanNs, 1.5],
    ['alloc vs STJ', typed.allocated / stj.allocated, 1.5],
    ['time vs Node', typed.meanNs / node.meanNs, 0.5],
  ];
  const parts = checks.map(([name, value, limit]) => {
    const ok = value <= limit;
    allHold &&= ok;
    return `${name} ${value.toFixed(2)} (≤ ${limit}) ${ok ? 'PASS' : 'FAIL'}`;
  });
  lines.push(`- ${operation}: ${parts.join('; ')}`);
}
lines.push(`- Budget ${allHold ? 'holds' : 'does NOT hold'}.`);
if (!nodeTyped.roundTripExact || !nodeAstro.roundTripExact) {
  lines.push('- WARNING: devalue on Node did not reproduce the payload text exactly (see the Node output above).');
}

process.stdout.write(`${lines.join('\n')}\n`);
