// clients.mjs URL text|tools: the official clients from the npm registry
// (openai, @anthropic-ai/sdk, @google/genai, ollama) against llm-mock at
// URL, each streaming and not. Prints one JSON line per case:
// {"case","text","tools":[[name,args]],"finish","usage":[in,out]} with
// what the client assembled (finish as the client reports it), or
// {"case","error"}.
import { createRequire } from 'node:module';
const require = createRequire(new URL('../peers/package.json', import.meta.url));
const OpenAI = require('openai').default ?? require('openai');
const AnthropicMod = require('@anthropic-ai/sdk');
const Anthropic = AnthropicMod.default ?? AnthropicMod;
const { GoogleGenAI } = require('@google/genai');
const { Ollama } = require('ollama');

const [url, mode, only] = process.argv.slice(2);
if (mode === 'retry') {
	// retry [CLIENT]: against llm-mock --fail 1:429:0, the clients that
	// retry by default get the answer, the others the 429
	const o = new OpenAI({ apiKey: 'k', baseURL: url + '/v1' });
	const a = new Anthropic({ apiKey: 'k', baseURL: url });
	const g = new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: url } });
	const l = new Ollama({ host: url });
	const out = async (name, fn) => {
		if (only && name !== only) return;
		try {
			console.log(JSON.stringify({ case: name, text: await fn() }));
		} catch (e) {
			console.log(JSON.stringify({ case: name, status: e.status ?? e.status_code ?? e.code ?? null,
			    error: String(e && e.message || e).slice(0, 200) }));
		}
	};
	const m = [{ role: 'user', content: 'hi' }];
	await out('openai', async () => (await o.chat.completions.create({ model: 'm', messages: m })).choices[0].message.content);
	await out('anthropic', async () => (await a.messages.create({ model: 'claude-m', max_tokens: 9, messages: m })).content[0].text);
	await out('gemini', async () => (await g.models.generateContent({ model: 'gemini-m', contents: 'hi' })).text);
	await out('ollama', async () => (await l.chat({ model: 'm', messages: m, stream: false })).message.content);
	process.exit(0);
}
const tools = mode === 'tools';
const msg = 'hi';
const key = process.env.CLIENT_KEY || 'client-key';
const openai = new OpenAI({ apiKey: key, baseURL: url + '/v1', maxRetries: 0 });
const anthropic = new Anthropic({ apiKey: key, baseURL: url, maxRetries: 0 });
const genai = new GoogleGenAI({ apiKey: key, httpOptions: { baseUrl: url } });
const ollama = new Ollama({ host: url, headers: { Authorization: 'Bearer ' + key } });
const params = { type: 'object', properties: { city: { type: 'string' } } };

async function run(name, fn) {
	try {
		console.log(JSON.stringify({ case: name, ...(await fn()) }));
	} catch (e) {
		console.log(JSON.stringify({ case: name, error: String(e && e.message || e) }));
	}
}
const args = (s) => typeof s === 'string' ? JSON.parse(s || '{}') : s;

function chat(c) {
	const m = c.choices[0].message;
	return { text: m.content ?? '', tools: (m.tool_calls ?? []).map((t) => [t.function.name, args(t.function.arguments)]),
	    finish: c.choices[0].finish_reason, usage: [c.usage?.prompt_tokens, c.usage?.completion_tokens] };
}
const chatReq = { model: 'gpt-test', messages: [{ role: 'user', content: msg }],
	...(tools ? { tools: [{ type: 'function', function: { name: 'get_weather', parameters: params } }] } : {}) };
await run('openai chat stream', async () => chat(await openai.chat.completions.stream(
    { ...chatReq, stream_options: { include_usage: true } }).finalChatCompletion()));
await run('openai chat', async () => chat(await openai.chat.completions.create(chatReq)));

function resp(r) {
	return { text: r.output_text ?? '', tools: r.output.filter((o) => o.type === 'function_call').map((o) => [o.name, args(o.arguments)]),
	    finish: r.status, usage: [r.usage?.input_tokens, r.usage?.output_tokens] };
}
const respReq = { model: 'gpt-test', input: msg,
	...(tools ? { tools: [{ type: 'function', name: 'get_weather', parameters: params }] } : {}) };
await run('openai responses stream', async () => resp(await openai.responses.stream(respReq).finalResponse()));
await run('openai responses', async () => resp(await openai.responses.create(respReq)));

function ant(m) {
	return { text: m.content.filter((b) => b.type === 'text').map((b) => b.text).join(''),
	    tools: m.content.filter((b) => b.type === 'tool_use').map((b) => [b.name, b.input]),
	    finish: m.stop_reason, usage: [m.usage?.input_tokens, m.usage?.output_tokens] };
}
const antReq = { model: 'claude-test', max_tokens: 100, messages: [{ role: 'user', content: msg }],
	...(tools ? { tools: [{ name: 'get_weather', input_schema: params }] } : {}) };
await run('anthropic stream', async () => ant(await anthropic.messages.stream(antReq).finalMessage()));
await run('anthropic', async () => ant(await anthropic.messages.create(antReq)));

const gemReq = { model: 'gemini-test', contents: msg,
	...(tools ? { config: { tools: [{ functionDeclarations: [{ name: 'get_weather', parameters: params }] }] } } : {}) };
function gemAdd(acc, r) {
	const c = r.candidates?.[0];
	for (const p of c?.content?.parts ?? []) {
		if (p.text) acc.text += p.text;
		if (p.functionCall) acc.tools.push([p.functionCall.name, p.functionCall.args]);
	}
	if (c?.finishReason) acc.finish = c.finishReason;
	if (r.usageMetadata) acc.usage = [r.usageMetadata.promptTokenCount, r.usageMetadata.candidatesTokenCount];
	return acc;
}
await run('gemini stream', async () => {
	const acc = { text: '', tools: [], finish: null, usage: [] };
	for await (const r of await genai.models.generateContentStream(gemReq)) gemAdd(acc, r);
	return acc;
});
await run('gemini', async () => gemAdd({ text: '', tools: [], finish: null, usage: [] },
    await genai.models.generateContent(gemReq)));

const ollReq = { model: 'llama-test', messages: [{ role: 'user', content: msg }],
	...(tools ? { tools: [{ type: 'function', function: { name: 'get_weather', parameters: params } }] } : {}) };
function ollAdd(acc, r) {
	acc.text += r.message?.content ?? '';
	for (const t of r.message?.tool_calls ?? []) acc.tools.push([t.function.name, args(t.function.arguments)]);
	if (r.done) {
		acc.finish = r.done_reason;
		acc.usage = [r.prompt_eval_count, r.eval_count];
	}
	return acc;
}
await run('ollama stream', async () => {
	const acc = { text: '', tools: [], finish: null, usage: [] };
	for await (const r of await ollama.chat({ ...ollReq, stream: true })) ollAdd(acc, r);
	return acc;
});
await run('ollama', async () => ollAdd({ text: '', tools: [], finish: null, usage: [] },
    await ollama.chat({ ...ollReq, stream: false })));
