// Measures the throughput of the npm package `tiktoken` on one file, for
// bench/tokenize.sh.
//
//   node bench.cjs DIR FILE ENCODING ITERATIONS     DIR holds node_modules/tiktoken
//
// Loads the encoding (timed separately), counts FILE once untimed, then
// ITERATIONS times, and prints one JSON object: bytes, tokens, load_ms,
// seconds and MB/s (bytes x iterations / seconds / 1e6).
"use strict";
const path = require("path");
const fs = require("fs");

const [dir, file, encoding, iterArg] = process.argv.slice(2);
const iterations = Number(iterArg || 1);
if (!dir || !file || !encoding || !(iterations >= 1)) {
  console.error("usage: node bench.cjs DIR FILE ENCODING ITERATIONS");
  process.exit(2);
}
const { get_encoding } = require(path.join(dir, "node_modules", "tiktoken"));
const text = fs.readFileSync(file, "utf8");
const bytes = Buffer.byteLength(text, "utf8");

let t0 = process.hrtime.bigint();
const enc = get_encoding(encoding);
const loadMs = Number(process.hrtime.bigint() - t0) / 1e6;

const tokens = enc.encode_ordinary(text).length; // warm-up, untimed
t0 = process.hrtime.bigint();
for (let i = 0; i < iterations; i++) {
  if (enc.encode_ordinary(text).length !== tokens) throw new Error("count changed between runs");
}
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
enc.free();
process.stdout.write(JSON.stringify({ bytes, tokens, load_ms: loadMs, seconds, mbps: (bytes * iterations) / seconds / 1e6 }) + "\n");
