// sdk-diff.mjs KIND DELTA_JOIN FILE... - compare `delta-join -n FILE` with
// the official SDK's final object (tests/peers/sdk-final.mjs) for each
// FILE, and `delta-join -j` with FILE's .want.json when there is one.
// Before comparing, fields only the SDK helpers add are dropped (parsed,
// parsed_output, output_parsed, parsed_arguments) and so are the reasoning
// fields of chat messages (the SDK keeps only their last fragment;
// delta-join assembles them, checked against .want.json instead). Files
// the SDK rejects are skipped (reported as such). Prints one line per
// problem and a summary "compared N skipped S failed F"; exit 1 on any
// failure.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [kind, dj, ...files] = process.argv.slice(2);
const here = dirname(fileURLToPath(import.meta.url));
const sdkOut = execFileSync('node', [join(here, '../peers/sdk-final.mjs'), kind, ...files],
	{ maxBuffer: 1 << 28 }).toString().trimEnd().split('\n');

function sorted(v) {
	if (Array.isArray(v)) return v.map(sorted);
	if (v && typeof v === 'object') {
		const o = {};
		for (const k of Object.keys(v).sort()) o[k] = sorted(v[k]);
		return o;
	}
	return v;
}
function strip(o) {
	delete o.parsed_output;
	delete o.output_parsed;
	for (const c of o.choices ?? []) {
		delete c.message?.parsed;
		delete c.message?.reasoning_content;
		delete c.message?.reasoning;
	}
	for (const it of o.output ?? []) {
		delete it.parsed_arguments;
		for (const p of it.content ?? []) delete p.parsed;
	}
	return o;
}
function run(args) {
	try {
		return execFileSync(dj, args, { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
	} catch (e) {
		return e.stdout ? e.stdout.toString() : '';
	}
}

let compared = 0, skipped = 0, failed = 0;
// SDK_LONE_FFFD=1: the SDK's unpaired surrogate halves (JSON.stringify
// writes them as \uXXXX escapes) are read as U+FFFD, as delta-join reads
// them (delta-join(1) CAVEATS), so the rest can still be compared.
const lone = /(?<!\\)((?:\\\\)*)\\u[dD][89a-fA-F][0-9a-fA-F]{2}/g;
files.forEach((f, i) => {
	const line = process.env.SDK_LONE_FFFD === '1' ? sdkOut[i].replace(lone, '$1\\ufffd') : sdkOut[i];
	const sdk = JSON.parse(line);
	const mine = run(['-n', f]);
	if (sdk.sdk_error) {
		skipped++;
	} else {
		compared++;
		const a = JSON.stringify(sorted(strip(sdk)));
		let b;
		try { b = JSON.stringify(sorted(strip(JSON.parse(mine)))); } catch { b = mine; }
		if (a !== b) {
			failed++;
			console.log(`native differs from the SDK: ${f}\n  sdk:  ${a.slice(0, 600)}\n  mine: ${b.slice(0, 600)}`);
		}
	}
	const wf = f.replace(/\.sse$/, '.want.json');
	if (existsSync(wf)) {
		const want = JSON.parse(readFileSync(wf));
		const got = run(['-j', f]).trim().split('\n').map((l) => JSON.parse(l));
		want.forEach((w, c) => {
			const g = got[c] ?? {};
			const calls = (g.tool_calls ?? []).map(({ id, name, arguments: a }) => ({ id, name, arguments: a }));
			const ok = g.content === w.content && g.reasoning === w.reasoning &&
				g.refusal === w.refusal && JSON.stringify(calls) === JSON.stringify(w.tool_calls);
			if (!ok) {
				failed++;
				console.log(`--json differs from the generated facts: ${f} choice ${c}\n  want: ${JSON.stringify(w).slice(0, 600)}\n  got:  ${JSON.stringify(g).slice(0, 600)}`);
			}
		});
	}
});
console.log(`compared ${compared} skipped ${skipped} failed ${failed}`);
process.exit(failed ? 1 : 0);
