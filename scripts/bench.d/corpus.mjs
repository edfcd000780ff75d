// corpus.mjs DIR - builds the benchmark corpus in DIR from the shapes of the
// real captures (tests/fixtures/real): chat-100M.sse and chat-10M.sse
// (OpenAI Chat Completions chunks as gpt-4o sends them: role chunk, text
// deltas with words, punctuation, newlines, quotes and multi-byte text,
// a finish chunk, a usage chunk, [DONE]), the same for Anthropic Messages
// (anthropic-100M.sse, anthropic-10M.sse), chat-1M.sse for the SDK,
// 100 MB and 10 MB streams of gpt-5 chat chunks (with "obfuscation"),
// Responses, Gemini and Ollama for the linearity of every dialect,
// 10 MB tool-call argument and reasoning streams of every provider, and
// small/: 1000 small real-shaped streams of four dialects.
import { writeFileSync, mkdirSync, readFileSync, readdirSync, openSync, writeSync, closeSync } from 'node:fs';

const dir = process.argv[2];
mkdirSync(`${dir}/small`, { recursive: true });
let seed = 42;
const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
const words = ['the', 'pipe', 'stream', 'token', ' and', 'of', 'Unix', 'filter', 'is', 'a',
  'small', 'tool', 'that', 'does', 'one', 'thing', 'well', 'café', 'naïve', '—', '“quoted”',
  '\\', '"x"', 'tab\t', '日本語', '😀', 'λ', 'x = 1;', '{', '}'];
const piece = () => {
  let s = ' ' + words[Math.floor(rand() * words.length)];
  if (rand() < 0.05) s += '.\n\n';
  else if (rand() < 0.08) s += ',';
  return s;
};

function chat(file, bytes) {
  const fd = openSync(file, 'w');
  const id = 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT';
  const head = `{"id":"${id}","object":"chat.completion.chunk","created":1741454392,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_eb9dce56a8","choices":[`;
  let n = 0, out = [], size = 0, tokens = 0;
  const emit = (s) => { out.push(s); size += Buffer.byteLength(s); if (out.length > 4096) { writeSync(fd, out.join('')); out = []; } };
  emit(`data: ${head}{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]}\n\n`);
  while (size < bytes) {
    emit(`data: ${head}{"index":0,"delta":{"content":${JSON.stringify(piece())}},"logprobs":null,"finish_reason":null}]}\n\n`);
    tokens++;
  }
  emit(`data: ${head}{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}\n\n`);
  emit(`data: {"id":"${id}","object":"chat.completion.chunk","created":1741454392,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_eb9dce56a8","choices":[],"usage":{"prompt_tokens":14,"completion_tokens":${tokens},"total_tokens":${tokens + 14},"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}\n\n`);
  emit('data: [DONE]\n\n');
  writeSync(fd, out.join(''));
  closeSync(fd);
}

function anthropic(file, bytes) {
  const fd = openSync(file, 'w');
  let out = [], size = 0, tokens = 0;
  const emit = (s) => { out.push(s); size += Buffer.byteLength(s); if (out.length > 4096) { writeSync(fd, out.join('')); out = []; } };
  emit('event: message_start\ndata: {"type":"message_start","message":{"id":"msg_01ABCDEFGHIJKLMNOPQRSTUV","type":"message","role":"assistant","model":"claude-sonnet-4-20250514","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":12,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}}\n\n');
  emit('event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n');
  while (size < bytes) {
    emit(`event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":${JSON.stringify(piece())}}}\n\n`);
    tokens++;
    if (tokens % 500 === 0) emit('event: ping\ndata: {"type": "ping"}\n\n');
  }
  emit('event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n');
  emit(`event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":${tokens}}}\n\n`);
  emit('event: message_stop\ndata: {"type":"message_stop"}\n\n');
  writeSync(fd, out.join(''));
  closeSync(fd);
}

// writer(file): emit(s) buffers s into file; close() flushes; size() is
// the bytes so far
function writer(file) {
  const fd = openSync(file, 'w');
  let out = [], size = 0;
  return {
    emit(s) { out.push(s); size += Buffer.byteLength(s); if (out.length > 4096) { writeSync(fd, out.join('')); out = []; } },
    size() { return size; },
    close() { writeSync(fd, out.join('')); closeSync(fd); },
  };
}
const obf = () => Math.floor(rand() * 1e12).toString(36).slice(0, 1 + Math.floor(rand() * 10));

// gpt-5 chat chunks: a random top-level "obfuscation" string in each
function chat5(file, bytes) {
  const w = writer(file);
  const head = '{"id":"chatcmpl-C9Xk2pQ","object":"chat.completion.chunk","created":1756000000,"model":"gpt-5-2025-08-07","service_tier":"default","system_fingerprint":null,"choices":[';
  let tokens = 0;
  w.emit(`data: ${head}{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"obfuscation":"${obf()}"}\n\n`);
  while (w.size() < bytes) {
    w.emit(`data: ${head}{"index":0,"delta":{"content":${JSON.stringify(piece())}},"logprobs":null,"finish_reason":null}],"obfuscation":"${obf()}"}\n\n`);
    tokens++;
  }
  w.emit(`data: ${head}{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"obfuscation":"${obf()}"}\n\n`);
  w.emit(`data: {"id":"chatcmpl-C9Xk2pQ","object":"chat.completion.chunk","created":1756000000,"model":"gpt-5-2025-08-07","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":${tokens},"total_tokens":${tokens + 12}},"obfuscation":"${obf()}"}\n\n`);
  w.emit('data: [DONE]\n\n');
  w.close();
}

// OpenAI Responses: output_text.delta events, then the done events and
// response.completed, which repeat the whole text (as the API sends them)
function responses(file, bytes) {
  const w = writer(file);
  const ev = (type, o) => w.emit(`event: ${type}\ndata: ${JSON.stringify({ type, ...o })}\n\n`);
  const resp = (status, output, usage) => ({ id: 'resp_68c42d0f', object: 'response', created_at: 1757687055, status,
    model: 'gpt-5-2025-08-07', output, usage });
  let seq = 0, text = [];
  ev('response.created', { sequence_number: seq++, response: resp('in_progress', [], null) });
  ev('response.output_item.added', { sequence_number: seq++, output_index: 0, item: { id: 'msg_1', type: 'message', status: 'in_progress', content: [], role: 'assistant' } });
  ev('response.content_part.added', { sequence_number: seq++, item_id: 'msg_1', output_index: 0, content_index: 0, part: { type: 'output_text', annotations: [], logprobs: [], text: '' } });
  while (w.size() < bytes * 0.94) {
    const p = piece();
    text.push(p);
    ev('response.output_text.delta', { sequence_number: seq++, item_id: 'msg_1', output_index: 0, content_index: 0, delta: p, logprobs: [], obfuscation: obf() });
  }
  const t = text.join('');
  const part = { type: 'output_text', annotations: [], logprobs: [], text: t };
  ev('response.output_text.done', { sequence_number: seq++, item_id: 'msg_1', output_index: 0, content_index: 0, text: t, logprobs: [] });
  ev('response.content_part.done', { sequence_number: seq++, item_id: 'msg_1', output_index: 0, content_index: 0, part });
  const item = { id: 'msg_1', type: 'message', status: 'completed', content: [part], role: 'assistant' };
  ev('response.output_item.done', { sequence_number: seq++, output_index: 0, item });
  ev('response.completed', { sequence_number: seq++, response: resp('completed', [item], { input_tokens: 12, output_tokens: text.length, total_tokens: text.length + 12 }) });
  w.close();
}

// Gemini streamGenerateContent?alt=sse: CRLF, spaces after colons,
// cumulative usageMetadata in every chunk, finishReason on the last
function gemini(file, bytes) {
  const w = writer(file);
  let n = 0;
  const chunk = (t, fin) => `data: {"candidates": [{"content": {"parts": [{"text": ${JSON.stringify(t)}}],"role": "model"}${fin ? ',"finishReason": "STOP"' : ''},"index": 0}],"usageMetadata": {"promptTokenCount": 8,"candidatesTokenCount": ${n},"totalTokenCount": ${n + 8}},"modelVersion": "gemini-2.5-flash","responseId": "mKzDaN7xJ"}\r\n\r\n`;
  while (w.size() < bytes) { n++; w.emit(chunk(piece(), false)); }
  w.emit(chunk('.', true));
  w.close();
}

// Ollama /api/chat NDJSON
function ollama(file, bytes) {
  const w = writer(file);
  let n = 0;
  while (w.size() < bytes) {
    n++;
    w.emit(`{"model":"llama3.2","created_at":"2025-08-21T20:43:54.590496031Z","message":{"role":"assistant","content":${JSON.stringify(piece())}},"done":false}\n`);
  }
  w.emit(`{"model":"llama3.2","created_at":"2025-08-21T20:43:55.1Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","total_duration":457409342,"prompt_eval_count":12,"eval_count":${n}}\n`);
  w.close();
}

// Tool-call argument streams and reasoning streams of every provider
// (10 MB each, for the assembly table): many calls (under 1024) of about 15 KB of
// arguments each, split as the APIs split them (a few characters a
// fragment); Gemini and Ollama send each call whole in one chunk.
const callArgs = () => {
  const o = { query: '', limit: Math.floor(rand() * 100), tags: [] };
  while (o.query.length < 15000) o.query += piece();
  for (let i = 0; i < 5; i++) o.tags.push(words[Math.floor(rand() * words.length)]);
  return JSON.stringify(o);
};
// (cut between code points: jq 1.6 rejects a lone surrogate escape)
const frags = (s) => { const cp = Array.from(s), out = []; for (let i = 0; i < cp.length;) { const n = 3 + Math.floor(rand() * 10); out.push(cp.slice(i, i + n).join('')); i += n; } return out; };

function chatTools(file, bytes) {
  const w = writer(file);
  const head = '{"id":"chatcmpl-T1","object":"chat.completion.chunk","created":1741454392,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_eb9dce56a8","choices":[';
  let k = 0;
  w.emit(`data: ${head}{"index":0,"delta":{"role":"assistant","content":null},"logprobs":null,"finish_reason":null}]}\n\n`);
  while (w.size() < bytes) {
    w.emit(`data: ${head}{"index":0,"delta":{"tool_calls":[{"index":${k},"id":"call_${k}","type":"function","function":{"name":"search","arguments":""}}]},"logprobs":null,"finish_reason":null}]}\n\n`);
    for (const f of frags(callArgs()))
      w.emit(`data: ${head}{"index":0,"delta":{"tool_calls":[{"index":${k},"function":{"arguments":${JSON.stringify(f)}}}]},"logprobs":null,"finish_reason":null}]}\n\n`);
    k++;
  }
  w.emit(`data: ${head}{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}]}\n\n`);
  w.emit('data: [DONE]\n\n');
  w.close();
}

function chatReason(file, bytes) {
  const w = writer(file);
  const head = '{"id":"r1","object":"chat.completion.chunk","created":1741454392,"model":"deepseek-reasoner","system_fingerprint":"fp_1","choices":[';
  while (w.size() < bytes)
    w.emit(`data: ${head}{"index":0,"delta":{"content":null,"reasoning_content":${JSON.stringify(piece())}},"logprobs":null,"finish_reason":null}]}\n\n`);
  w.emit(`data: ${head}{"index":0,"delta":{"content":"ok"},"logprobs":null,"finish_reason":"stop"}]}\n\n`);
  w.emit('data: [DONE]\n\n');
  w.close();
}

function anthStart(w) {
  w.emit('event: message_start\ndata: {"type":"message_start","message":{"id":"msg_01A","type":"message","role":"assistant","model":"claude-sonnet-4-20250514","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":12,"output_tokens":1}}}\n\n');
}
function anthEnd(w, why) {
  w.emit(`event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"${why}","stop_sequence":null},"usage":{"output_tokens":9}}\n\n`);
  w.emit('event: message_stop\ndata: {"type":"message_stop"}\n\n');
  w.close();
}
function anthTools(file, bytes) {
  const w = writer(file);
  anthStart(w);
  for (let b = 0; w.size() < bytes; b++) {
    w.emit(`event: content_block_start\ndata: {"type":"content_block_start","index":${b},"content_block":{"type":"tool_use","id":"toolu_${b}","name":"search","input":{}}}\n\n`);
    for (const f of frags(callArgs()))
      w.emit(`event: content_block_delta\ndata: {"type":"content_block_delta","index":${b},"delta":{"type":"input_json_delta","partial_json":${JSON.stringify(f)}}}\n\n`);
    w.emit(`event: content_block_stop\ndata: {"type":"content_block_stop","index":${b}}\n\n`);
  }
  anthEnd(w, 'tool_use');
}
function anthThink(file, bytes) {
  const w = writer(file);
  anthStart(w);
  w.emit('event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}\n\n');
  while (w.size() < bytes)
    w.emit(`event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":${JSON.stringify(piece())}}}\n\n`);
  w.emit('event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQBCgIYAhIM"}}\n\n');
  w.emit('event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n');
  anthEnd(w, 'end_turn');
}

function respTools(file, bytes) {
  const w = writer(file);
  const ev = (type, o) => w.emit(`event: ${type}\ndata: ${JSON.stringify({ type, ...o })}\n\n`);
  let seq = 0;
  ev('response.created', { sequence_number: seq++, response: { id: 'resp_1', object: 'response', status: 'in_progress', model: 'gpt-5', output: [] } });
  for (let i = 0; w.size() < bytes; i++) {
    const a = callArgs();
    const item = { id: `fc_${i}`, type: 'function_call', status: 'in_progress', arguments: '', call_id: `call_${i}`, name: 'search' };
    ev('response.output_item.added', { sequence_number: seq++, output_index: i, item });
    for (const f of frags(a))
      ev('response.function_call_arguments.delta', { sequence_number: seq++, item_id: `fc_${i}`, output_index: i, delta: f, obfuscation: obf() });
    ev('response.function_call_arguments.done', { sequence_number: seq++, item_id: `fc_${i}`, output_index: i, arguments: a });
    ev('response.output_item.done', { sequence_number: seq++, output_index: i, item: { ...item, status: 'completed', arguments: a } });
  }
  ev('response.completed', { sequence_number: seq++, response: { id: 'resp_1', object: 'response', status: 'completed', model: 'gpt-5', output: [], usage: { input_tokens: 12, output_tokens: 9, total_tokens: 21 } } });
  w.close();
}
function respReason(file, bytes) {
  const w = writer(file);
  const ev = (type, o) => w.emit(`event: ${type}\ndata: ${JSON.stringify({ type, ...o })}\n\n`);
  let seq = 0;
  ev('response.created', { sequence_number: seq++, response: { id: 'resp_2', object: 'response', status: 'in_progress', model: 'gpt-5', output: [] } });
  ev('response.output_item.added', { sequence_number: seq++, output_index: 0, item: { id: 'rs_1', type: 'reasoning', summary: [] } });
  ev('response.reasoning_summary_part.added', { sequence_number: seq++, item_id: 'rs_1', output_index: 0, summary_index: 0, part: { type: 'summary_text', text: '' } });
  while (w.size() < bytes)
    ev('response.reasoning_summary_text.delta', { sequence_number: seq++, item_id: 'rs_1', output_index: 0, summary_index: 0, delta: piece(), obfuscation: obf() });
  ev('response.completed', { sequence_number: seq++, response: { id: 'resp_2', object: 'response', status: 'completed', model: 'gpt-5', output: [], usage: { input_tokens: 12, output_tokens: 9, total_tokens: 21 } } });
  w.close();
}

function gemTools(file, bytes) {
  const w = writer(file);
  let n = 0;
  while (w.size() < bytes) {
    n += 40;
    w.emit(`data: {"candidates": [{"content": {"parts": [{"functionCall": {"name": "search","args": ${JSON.stringify(JSON.parse(callArgs()))}}}],"role": "model"},"index": 0}],"usageMetadata": {"promptTokenCount": 8,"candidatesTokenCount": ${n},"totalTokenCount": ${n + 8}},"modelVersion": "gemini-2.5-flash","responseId": "mKzDaN7xJ"}\r\n\r\n`);
  }
  w.emit(`data: {"candidates": [{"content": {"parts": [{"text": ""}],"role": "model"},"finishReason": "STOP","index": 0}],"usageMetadata": {"promptTokenCount": 8,"candidatesTokenCount": ${n},"totalTokenCount": ${n + 8}},"modelVersion": "gemini-2.5-flash","responseId": "mKzDaN7xJ"}\r\n\r\n`);
  w.close();
}
function gemThink(file, bytes) {
  const w = writer(file);
  let n = 0;
  while (w.size() < bytes) {
    n++;
    w.emit(`data: {"candidates": [{"content": {"parts": [{"text": ${JSON.stringify(piece())},"thought": true}],"role": "model"},"index": 0}],"usageMetadata": {"promptTokenCount": 8,"totalTokenCount": ${n + 8},"thoughtsTokenCount": ${n}},"modelVersion": "gemini-2.5-flash","responseId": "mKzDaN7xJ"}\r\n\r\n`);
  }
  w.emit(`data: {"candidates": [{"content": {"parts": [{"text": "ok"}],"role": "model"},"finishReason": "STOP","index": 0}],"usageMetadata": {"promptTokenCount": 8,"candidatesTokenCount": 1,"totalTokenCount": ${n + 9},"thoughtsTokenCount": ${n}},"modelVersion": "gemini-2.5-flash","responseId": "mKzDaN7xJ"}\r\n\r\n`);
  w.close();
}

function ollTools(file, bytes) {
  const w = writer(file);
  let n = 0;
  while (w.size() < bytes) {
    n++;
    w.emit(`{"model":"llama3.2","created_at":"2025-08-21T20:43:54.${n}Z","message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"search","arguments":${callArgs()}}}]},"done":false}\n`);
  }
  w.emit(`{"model":"llama3.2","created_at":"2025-08-21T20:43:55.1Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","total_duration":457409342,"prompt_eval_count":12,"eval_count":${n}}\n`);
  w.close();
}
function ollThink(file, bytes) {
  const w = writer(file);
  let n = 0;
  while (w.size() < bytes) {
    n++;
    w.emit(`{"model":"gpt-oss:20b","created_at":"2025-08-21T20:43:54.${n}Z","message":{"role":"assistant","content":"","thinking":${JSON.stringify(piece())}},"done":false}\n`);
  }
  w.emit(`{"model":"gpt-oss:20b","created_at":"2025-08-21T20:43:55.1Z","message":{"role":"assistant","content":"ok"},"done":true,"done_reason":"stop","prompt_eval_count":12,"eval_count":${n}}\n`);
  w.close();
}

// BENCH_SCALE (default 1) divides every size, for a quick check of the
// script itself on a tiny corpus (the file names stay the same)
const scale = Number(process.env.BENCH_SCALE || 1);
chat(`${dir}/chat-100M.sse`, 100e6 / scale);
chat(`${dir}/chat-10M.sse`, 10e6 / scale);
chat(`${dir}/chat-1M.sse`, 1e6 / scale);
anthropic(`${dir}/anthropic-100M.sse`, 100e6 / scale);
anthropic(`${dir}/anthropic-10M.sse`, 10e6 / scale);
for (const [name, f] of [['chat5', chat5], ['responses', responses], ['gemini', gemini], ['ollama', ollama]]) {
  const ext = name === 'ollama' ? 'ndjson' : 'sse';
  f(`${dir}/${name}-100M.${ext}`, 100e6 / scale);
  f(`${dir}/${name}-10M.${ext}`, 10e6 / scale);
}
for (const [name, f, ext] of [['chat-tools', chatTools, 'sse'], ['chat-reason', chatReason, 'sse'],
  ['anthropic-tools', anthTools, 'sse'], ['anthropic-think', anthThink, 'sse'],
  ['responses-tools', respTools, 'sse'], ['responses-reason', respReason, 'sse'],
  ['gemini-tools', gemTools, 'sse'], ['gemini-think', gemThink, 'sse'],
  ['ollama-tools', ollTools, 'ndjson'], ['ollama-think', ollThink, 'ndjson']])
  f(`${dir}/${name}-10M.${ext}`, 10e6 / scale);
// 1000 small streams: the real captures of four dialects, round-robin
const top = new URL('../../tests/fixtures/real/', import.meta.url).pathname;
const picks = [];
for (const d of ['openai-chat', 'anthropic-messages', 'gemini', 'openai-responses'])
  for (const f of readdirSync(top + d)) if (f.endsWith('.sse') && !/error|failed/.test(f)) picks.push(top + d + '/' + f);
for (let i = 0; i < 1000; i++)
  writeFileSync(`${dir}/small/${String(i).padStart(4, '0')}.sse`, readFileSync(picks[i % picks.length]));
