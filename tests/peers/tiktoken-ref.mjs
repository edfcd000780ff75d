// tiktoken-ref.mjs - the tiktoken npm package (the official Rust core as
// WebAssembly) as the oracle for llm-tokens (tests/33, scripts/bench).
// Usage: node tiktoken-ref.mjs MODE ENCODING FILE...
//   ids       one line per FILE: the ids of encode_ordinary(text)
//   special   the same with encode(text, "all"): special tokens as ids
//   count     one line per FILE: the number of tokens
//   truncate:N  the bytes of the first N tokens, less an unfinished
//             character at the end (llm-tokens --truncate's rule)
// A FILE is read as bytes and decoded as Node's Buffer.toString does
// (invalid UTF-8 to U+FFFD), which is how the binding is used on a file.
import { readFileSync, writeSync } from "node:fs";
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const { get_encoding } = require("tiktoken");

const [mode, encName, ...files] = process.argv.slice(2);
const enc = get_encoding(encName);
const out = [];
for (const f of files) {
	const text = readFileSync(f).toString("utf8");
	if (mode === "ids") out.push(Array.from(enc.encode_ordinary(text)).join(" ") + "\n");
	else if (mode === "special") out.push(Array.from(enc.encode(text, "all")).join(" ") + "\n");
	else if (mode === "count") out.push(enc.encode_ordinary(text).length + "\n");
	else if (mode.startsWith("truncate:")) {
		const n = Number(mode.slice(9));
		let ids = enc.encode_ordinary(text).slice(0, n);
		for (;;) {
			const b = Buffer.from(enc.decode(ids));
			// ends on a character when decoding and re-encoding keeps it
			if (Buffer.from(b.toString("utf8")).equals(b)) { out.push(b); break; }
			ids = ids.slice(0, ids.length - 1);
		}
	} else throw new Error("unknown mode " + mode);
}
for (const o of out) writeSync(1, o);
enc.free();
