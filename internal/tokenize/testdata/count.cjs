// Counts tokens with the npm package `tiktoken` (OpenAI's tiktoken compiled
// to WebAssembly), the reference the Go counts must equal exactly.
//
//   node count.cjs DIR FILE...      DIR holds node_modules/tiktoken
//
// Prints one JSON object: for each FILE (read as UTF-8), its byte length,
// the token counts of encode_ordinary for cl100k_base and o200k_base, and
// whether the package's default encode(text) refuses the text because it
// contains special-token text such as "<|endoftext|>".
"use strict";
const path = require("path");
const fs = require("fs");

const [dir, ...files] = process.argv.slice(2);
if (!dir || files.length === 0) {
  console.error("usage: node count.cjs DIR FILE...");
  process.exit(2);
}
const { get_encoding } = require(path.join(dir, "node_modules", "tiktoken"));
const version = require(path.join(dir, "node_modules", "tiktoken", "package.json")).version;

const encodings = ["cl100k_base", "o200k_base"];
const encoders = Object.fromEntries(encodings.map((e) => [e, get_encoding(e)]));
const out = { version, files: {} };
for (const file of files) {
  const text = fs.readFileSync(file, "utf8");
  const entry = { bytes: Buffer.byteLength(text, "utf8"), defaultThrows: false };
  for (const e of encodings) {
    entry[e] = encoders[e].encode_ordinary(text).length;
  }
  try {
    encoders.cl100k_base.encode(text);
  } catch {
    entry.defaultThrows = true;
  }
  out.files[file] = entry;
}
for (const e of encodings) encoders[e].free();
process.stdout.write(JSON.stringify(out) + "\n");
