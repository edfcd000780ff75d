// gen-streams.mjs KIND SEED N DIR - write N random response streams of
// KIND (openai-chat, openai-responses, anthropic, gemini, ollama) into DIR
// as NAME.sse (ollama: NAME.ndjson),
// with NAME.want.json holding the facts they carry ({content, reasoning,
// refusal, tool_calls:[{id,name,arguments}]} per choice). Deterministic
// for a seed. Covers: random delta splits (multi-byte UTF-8, JSON escapes,
// surrogate pairs cut between their halves,
// tool arguments split inside strings and escapes), parallel tool calls,
// n>1 choices, usage chunks, reasoning, refusal, CRLF, "data:" without a
// space, keep-alive comments, pings, streams without their last event.
import { mkdirSync, writeFileSync } from 'node:fs';

const [kind, seedArg, nArg, dir] = process.argv.slice(2);
let seed = Number(seedArg) >>> 0 || 1;
function rnd() { // mulberry32
	seed = (seed + 0x6d2b79f5) >>> 0;
	let t = seed;
	t = Math.imul(t ^ (t >>> 15), t | 1);
	t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
	return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const ri = (n) => Math.floor(rnd() * n);
const pick = (a) => a[ri(a.length)];
const chance = (p) => rnd() < p;

const WORDS = ['hello', 'world', 'é', 'naïve', '中文', '😀', 'a"b', 'back\\slash',
	'tab\t', 'line\n', 'ü', '\u2028', '¿qué?', '𝄞', 'x', ' ', '<>&', '{', '}'];
function text(max) {
	let s = '';
	const n = 1 + ri(max);
	for (let i = 0; i < n; i++) s += pick(WORDS) + (chance(0.5) ? ' ' : '');
	return s;
}
// split a JS string into 1..k pieces: at code-point boundaries, or
// (sometimes) at UTF-16 code units, between the halves of a surrogate
// pair, as a server slicing JavaScript strings does; JSON.stringify then
// writes each lone half as a \uXXXX escape and the SDK's string
// concatenation rejoins them. (Every piece lands in the same field, so a
// cut pair is always rejoined: an unpaired half is read differently, see
// delta-join(1) CAVEATS.)
function splitText(s, k) {
	const cps = chance(0.2) ? s.split('') : Array.from(s);
	const out = [];
	let i = 0;
	while (i < cps.length) {
		const n = 1 + ri(Math.min(k, cps.length - i));
		out.push(cps.slice(i, i + n).join(''));
		i += n;
	}
	return out.length ? out : [''];
}
// split arbitrary text anywhere (tool arguments: inside escapes too)
function splitAny(s) {
	const out = [];
	const cut = chance(0.2); // cut surrogate pairs too (see splitText)
	let i = 0;
	while (i < s.length) {
		let n = 1 + ri(6);
		if (!cut && i + n < s.length && /[\ud800-\udbff]/.test(s[i + n - 1])) n++;
		out.push(s.slice(i, i + n));
		i += n;
	}
	return out.length ? out : [''];
}
function args() {
	const o = {};
	const n = ri(4);
	for (let i = 0; i < n; i++) o['k' + i] = chance(0.5) ? text(3) : ri(1000);
	if (chance(0.3)) o.nested = { list: [1, 'two', { q: 'a\\"b' }], u: 'é😀' };
	return JSON.stringify(o, null, chance(0.3) ? 1 : 0);
}

function frame(ev, data, style) {
	const nl = style.crlf ? '\r\n' : '\n';
	let s = '';
	if (style.comments && chance(0.2)) s += ': keep-alive' + nl + nl;
	if (ev) s += 'event: ' + ev + nl;
	s += (style.nospace ? 'data:' : 'data: ') + data + nl + nl;
	return s;
}

function chat(style) {
	const id = 'chatcmpl-' + ri(1e9);
	const nch = chance(0.15) ? 2 + ri(2) : 1;
	const base = { id, object: 'chat.completion.chunk', created: 1700000000 + ri(1e6), model: 'gpt-test' };
	if (chance(0.3)) base.system_fingerprint = 'fp_' + ri(1e6);
	// gpt-5 chunks carry a random "obfuscation" string (its last value
	// stays in the SDK's final object), after the choices or before them
	const obf = chance(0.3) ? (chance(0.5) ? 'last' : 'first') : null;
	const obfs = () => pick(['', 'a', 'x9Zq', 'é😀\\"', 'AbCdEfGhIjKl', '\u0001']) + ri(100);
	const withObf = (c) => obf === 'last' ? { ...c, obfuscation: obfs() } :
		obf === 'first' ? { obfuscation: obfs(), ...c } : c;
	const want = [];
	const events = [];
	for (let c = 0; c < nch; c++) {
		const w = { content: null, reasoning: null, refusal: null, tool_calls: [] };
		const steps = [];
		steps.push({ role: 'assistant', content: chance(0.5) ? '' : undefined });
		if (chance(0.3)) {
			w.reasoning = text(8);
			for (const p of splitText(w.reasoning, 4)) steps.push({ content: chance(0.5) ? null : undefined, reasoning_content: p });
		}
		if (chance(0.1)) {
			w.refusal = text(6);
			for (const p of splitText(w.refusal, 4)) steps.push({ refusal: p });
		} else if (chance(0.7)) {
			w.content = text(12);
			for (const p of splitText(w.content, 5)) steps.push({ content: p });
		}
		if (chance(0.4)) {
			const ncalls = 1 + ri(3);
			for (let k = 0; k < ncalls; k++) {
				const call = { id: 'call_' + ri(1e9), name: pick(['get_weather', 'search', 'f_' + k]), arguments: args() };
				w.tool_calls.push(call);
				const parts = splitAny(call.arguments);
				parts.forEach((p, i) => {
					const tc = { index: k };
					if (i === 0) { tc.id = call.id; tc.type = 'function'; tc.function = { name: call.name, arguments: p }; }
					else tc.function = chance(0.2) ? { name: '', arguments: p } : { arguments: p };
					steps.push({ tool_calls: [tc] });
				});
				if (chance(0.2)) steps.push({ tool_calls: [{ index: k, function: { arguments: null } }] });
			}
		}
		if (chance(0.2)) steps.push({});
		const fin = w.tool_calls.length ? 'tool_calls' : pick(['stop', 'stop', 'length']);
		w.finish = fin;
		want[c] = w;
		events.push(steps.map((d, i) => ({ c, d, fin: i === steps.length - 1 ? fin : null })));
	}
	// interleave the choices' chunks
	const out = [];
	const idx = events.map(() => 0);
	for (;;) {
		const live = events.map((e, i) => i).filter((i) => idx[i] < events[i].length);
		if (!live.length) break;
		const i = pick(live);
		out.push(events[i][idx[i]++]);
	}
	let s = chance(0.2) ? frame(null, JSON.stringify({ ...base, id: '', created: 0, model: '', choices: [], prompt_filter_results: [] }), style) : '';
	for (const e of out) {
		const d = {};
		for (const [k, v] of Object.entries(e.d)) if (v !== undefined) d[k] = v;
		const ch = { index: e.c, delta: d, logprobs: null, finish_reason: e.fin };
		const chunk = { ...base, choices: [ch] };
		if (style.usageNull) chunk.usage = null;
		s += frame(null, JSON.stringify(withObf(chunk)), style);
	}
	if (chance(0.6)) {
		const u = { prompt_tokens: ri(100), completion_tokens: ri(100), total_tokens: 0,
			completion_tokens_details: { reasoning_tokens: ri(10) } };
		s += frame(null, JSON.stringify(withObf({ ...base, choices: [], usage: u })), style);
	}
	s += frame(null, '[DONE]', style);
	return { s, want };
}

function responses(style) {
	const rid = 'resp_' + ri(1e9);
	const resp = (status, output) => ({ id: rid, object: 'response', created_at: 1700000000, status,
		model: 'gpt-test', output, usage: status === 'completed' ? { input_tokens: ri(50), output_tokens: ri(50),
			output_tokens_details: { reasoning_tokens: 0 }, input_tokens_details: { cached_tokens: 0 } } : null });
	let seq = 0;
	let s = '';
	const ev = (type, o) => { s += frame(style.noevent ? null : type, JSON.stringify({ type, sequence_number: seq++, ...o }), style); };
	const w = { content: null, reasoning: null, refusal: null, tool_calls: [] };
	const items = [];
	ev('response.created', { response: resp('in_progress', []) });
	ev('response.in_progress', { response: resp('in_progress', []) });
	let oi = 0;
	if (chance(0.4)) {
		const sum = text(8);
		w.reasoning = sum;
		const item = { id: 'rs_' + ri(1e6), type: 'reasoning', summary: [] };
		ev('response.output_item.added', { output_index: oi, item });
		ev('response.reasoning_summary_part.added', { item_id: item.id, output_index: oi, summary_index: 0, part: { type: 'summary_text', text: '' } });
		for (const p of splitText(sum, 4)) ev('response.reasoning_summary_text.delta', { item_id: item.id, output_index: oi, summary_index: 0, delta: p });
		ev('response.reasoning_summary_text.done', { item_id: item.id, output_index: oi, summary_index: 0, text: sum });
		ev('response.reasoning_summary_part.done', { item_id: item.id, output_index: oi, summary_index: 0, part: { type: 'summary_text', text: sum } });
		const done = { ...item, summary: [{ type: 'summary_text', text: sum }] };
		ev('response.output_item.done', { output_index: oi, item: done });
		items.push(done);
		oi++;
	}
	if (chance(0.8)) {
		const t = text(12);
		w.content = t;
		const item = { id: 'msg_' + ri(1e6), type: 'message', status: 'in_progress', role: 'assistant', content: [] };
		ev('response.output_item.added', { output_index: oi, item });
		ev('response.content_part.added', { item_id: item.id, output_index: oi, content_index: 0, part: { type: 'output_text', annotations: [], text: '' } });
		for (const p of splitText(t, 5)) ev('response.output_text.delta', { item_id: item.id, output_index: oi, content_index: 0, delta: p });
		ev('response.output_text.done', { item_id: item.id, output_index: oi, content_index: 0, text: t });
		const part = { type: 'output_text', annotations: [], text: t };
		ev('response.content_part.done', { item_id: item.id, output_index: oi, content_index: 0, part });
		const done = { ...item, status: 'completed', content: [part] };
		ev('response.output_item.done', { output_index: oi, item: done });
		items.push(done);
		oi++;
	}
	const ncalls = chance(0.4) ? 1 + ri(2) : 0;
	for (let k = 0; k < ncalls; k++) {
		const a = args();
		const item = { id: 'fc_' + ri(1e6), type: 'function_call', status: 'in_progress', arguments: '', call_id: 'call_' + ri(1e6), name: 'fn' + k };
		w.tool_calls.push({ id: item.call_id, name: item.name, arguments: a });
		ev('response.output_item.added', { output_index: oi, item });
		for (const p of splitAny(a)) ev('response.function_call_arguments.delta', { item_id: item.id, output_index: oi, delta: p });
		ev('response.function_call_arguments.done', { item_id: item.id, output_index: oi, arguments: a });
		const done = { ...item, status: 'completed', arguments: a };
		ev('response.output_item.done', { output_index: oi, item: done });
		items.push(done);
		oi++;
	}
	if (chance(0.75)) ev('response.completed', { response: resp('completed', items) });
	if (style.done) s += frame(null, '[DONE]', style);
	return { s, want: [w] };
}

function anthropic(style) {
	let s = '';
	const ev = (type, o) => { s += frame(type, JSON.stringify({ type, ...o }), style); };
	const ping = () => { if (chance(0.2)) ev('ping', {}); };
	const w = { content: null, reasoning: null, refusal: null, tool_calls: [] };
	ev('message_start', { message: { id: 'msg_' + ri(1e9), type: 'message', role: 'assistant', model: 'claude-test',
		content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: ri(100), output_tokens: 1,
			cache_creation_input_tokens: 0, cache_read_input_tokens: 0 } } });
	let bi = 0;
	ping();
	if (chance(0.3)) {
		const th = text(8);
		w.reasoning = th;
		ev('content_block_start', { index: bi, content_block: { type: 'thinking', thinking: '', signature: '' } });
		for (const p of splitText(th, 4)) { ev('content_block_delta', { index: bi, delta: { type: 'thinking_delta', thinking: p } }); ping(); }
		ev('content_block_delta', { index: bi, delta: { type: 'thinking_delta', thinking: '' } });
		ev('content_block_delta', { index: bi, delta: { type: 'signature_delta', signature: 'sig' + ri(1e6) } });
		ev('content_block_stop', { index: bi++ });
	}
	if (chance(0.8)) {
		const t = text(12);
		w.content = t;
		ev('content_block_start', { index: bi, content_block: { type: 'text', text: '' } });
		for (const p of splitText(t, 5)) { ev('content_block_delta', { index: bi, delta: { type: 'text_delta', text: p } }); ping(); }
		ev('content_block_stop', { index: bi++ });
	}
	const ncalls = chance(0.4) ? 1 + ri(2) : 0;
	for (let k = 0; k < ncalls; k++) {
		const a = chance(0.2) ? '' : args();
		const id = 'toolu_' + ri(1e9);
		w.tool_calls.push({ id, name: 'tool' + k, arguments: a === '' ? '{}' : a });
		ev('content_block_start', { index: bi, content_block: { type: 'tool_use', id, name: 'tool' + k, input: {} } });
		ev('content_block_delta', { index: bi, delta: { type: 'input_json_delta', partial_json: '' } });
		if (a) for (const p of splitAny(a)) ev('content_block_delta', { index: bi, delta: { type: 'input_json_delta', partial_json: p } });
		ev('content_block_stop', { index: bi++ });
	}
	ev('message_delta', { delta: { stop_reason: ncalls ? 'tool_use' : pick(['end_turn', 'max_tokens']), stop_sequence: null },
		usage: { output_tokens: ri(200) } });
	ev('message_stop', {});
	return { s, want: [w] };
}

// Gemini streamGenerateContent?alt=sse: text and thought parts (one or two
// a chunk), cumulative usage (present or not, with or without thoughts),
// a whole functionCall part, finishReason on the last chunk
function gemini(style) {
	let s = '';
	const w = { content: null, reasoning: null, refusal: null, tool_calls: [] };
	let out = 0, th = 0;
	const usage = chance(0.8);
	const chunk = (parts, fin) => {
		const o = { candidates: [{ content: { parts, role: 'model' }, ...(fin ? { finishReason: fin } : {}), index: 0 }] };
		if (usage && chance(0.9)) o.usageMetadata = { promptTokenCount: 8, candidatesTokenCount: out, totalTokenCount: 8 + out + th,
			...(th ? { thoughtsTokenCount: th } : {}) };
		o.modelVersion = 'gemini-test';
		o.responseId = 'r' + (chance(0.05) ? ri(1e6) : 1);
		s += frame(null, JSON.stringify(o, null, style.crlf ? 1 : 0).replace(/\n */g, ' '), style);
	};
	if (chance(0.3)) {
		const t = text(8);
		w.reasoning = t;
		for (const p of splitText(t, 4)) { th += ri(3); chunk([{ text: p, thought: true }]); }
	}
	const t = text(12);
	w.content = t;
	for (const p of splitText(t, 5)) {
		out += ri(3);
		if (chance(0.1)) chunk([{ text: p }, { text: '' }]);
		else chunk([{ text: p }]);
	}
	if (chance(0.3)) {
		const a = { q: text(2), n: ri(100) };
		w.tool_calls.push({ id: null, name: 'f', arguments: JSON.stringify(a) });
		chunk([{ functionCall: { name: 'f', args: a } }]);
	}
	chunk([{ text: '' }], pick(['STOP', 'MAX_TOKENS']));
	return { s, want: [w] };
}

// Ollama /api/chat (or /api/generate) NDJSON: content and thinking,
// a timestamp in every line, tool_calls, the done line with counts
function ollama(style) {
	let s = '';
	const w = { content: null, reasoning: null, refusal: null, tool_calls: [] };
	const gen = chance(0.3);
	let ts = 0;
	const line = (content, thinking, extra) => {
		const o = { model: 'llama-test', created_at: `2025-08-21T20:43:${String(ts++).padStart(2, '0')}.${ri(1e9)}Z` };
		if (gen) { o.response = content; if (thinking !== undefined) o.thinking = thinking; }
		else o.message = { role: 'assistant', content, ...(thinking !== undefined ? { thinking } : {}), ...(extra || {}) };
		o.done = false;
		return o;
	};
	if (chance(0.3)) {
		const t = text(8);
		w.reasoning = t;
		for (const p of splitText(t, 4)) s += JSON.stringify(line('', p)) + '\n';
	}
	const t = text(12);
	w.content = t;
	for (const p of splitText(t, 5)) s += JSON.stringify(line(p)) + '\n';
	if (!gen && chance(0.3)) {
		const a = { q: text(2) };
		w.tool_calls.push({ id: null, name: 'f', arguments: JSON.stringify(a) });
		s += JSON.stringify(line('', undefined, { tool_calls: [{ function: { name: 'f', arguments: a } }] })) + '\n';
	}
	if (!style.done || chance(0.8)) {
		const o = line('');
		o.done = true;
		o.done_reason = 'stop';
		o.prompt_eval_count = 8;
		o.eval_count = ri(100);
		s += JSON.stringify(o) + '\n';
	}
	return { s, want: [w] };
}

mkdirSync(dir, { recursive: true });
const gen = { 'openai-chat': chat, 'openai-responses': responses, anthropic, gemini, ollama }[kind];
if (!gen) { console.error('unknown kind ' + kind); process.exit(2); }
for (let i = 0; i < Number(nArg); i++) {
	const style = { crlf: chance(0.2), nospace: chance(0.2), comments: chance(0.3), usageNull: chance(0.2),
		noevent: chance(0.3), done: chance(0.3) };
	const { s, want } = gen(style);
	const name = `${dir}/${kind}-${String(i).padStart(4, '0')}`;
	writeFileSync(name + (kind === 'ollama' ? '.ndjson' : '.sse'), s);
	writeFileSync(name + '.want.json', JSON.stringify(want) + '\n');
}
