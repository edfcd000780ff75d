// sdk-client.mjs URL echo|tools: the official OpenAI and Anthropic SDKs as
// clients of llm-mock (started with --echo for "echo", without for the
// built-in tool call). Prints one JSON line per case: {"case","text"} with
// what the SDK assembled, or {"case","error"}.
import { createRequire } from 'node:module';
const require = createRequire(new URL('../peers/package.json', import.meta.url));
const OpenAI = require('openai').default ?? require('openai');
const AnthropicMod = require('@anthropic-ai/sdk');
const Anthropic = AnthropicMod.default ?? AnthropicMod;

const url = process.argv[2];
const msg = 'the quick brown fox';
const openai = new OpenAI({ apiKey: 'sk-test', baseURL: url + '/v1', maxRetries: 0 });
const anthropic = new Anthropic({ apiKey: 'sk-test', baseURL: url, maxRetries: 0 });
const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }];

async function run(name, fn) {
	try {
		console.log(JSON.stringify({ case: name, text: await fn() }));
	} catch (e) {
		console.log(JSON.stringify({ case: name, error: String(e && e.message || e) }));
	}
}

if (process.argv[3] === 'tools') {
	await run('openai chat stream tools', async () => {
		const s = openai.chat.completions.stream({ model: 'm', tools, messages: [{ role: 'user', content: msg }] });
		const c = await s.finalChatCompletion();
		const t = c.choices[0].message.tool_calls[0];
		return [c.choices[0].finish_reason, t.function.name, JSON.parse(t.function.arguments)];
	});
	await run('openai responses stream tools', async () => {
		const s = openai.responses.stream({ model: 'm', input: msg,
		    tools: [{ type: 'function', name: 'get_weather', parameters: { type: 'object' } }] });
		const r = await s.finalResponse();
		return [r.status, r.output[0].name, JSON.parse(r.output[0].arguments)];
	});
	await run('anthropic stream tools', async () => {
		const s = anthropic.messages.stream({ model: 'm', max_tokens: 50, messages: [{ role: 'user', content: msg }],
		    tools: [{ name: 'get_weather', input_schema: { type: 'object' } }] });
		const m = await s.finalMessage();
		return [m.stop_reason, m.content[0].name, m.content[0].input];
	});
	process.exit(0);
}

await run('openai chat stream', async () => {
	const s = openai.chat.completions.stream({ model: 'm', messages: [{ role: 'user', content: msg }] });
	const c = await s.finalChatCompletion();
	return c.choices[0].message.content;
});
await run('openai chat create', async () => {
	const c = await openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: msg }] });
	return c.choices[0].message.content;
});
await run('openai responses stream', async () => {
	const s = openai.responses.stream({ model: 'm', input: msg });
	const r = await s.finalResponse();
	return r.output_text;
});
await run('openai responses create', async () => {
	const r = await openai.responses.create({ model: 'm', input: msg });
	return r.output_text;
});
await run('anthropic stream', async () => {
	const s = anthropic.messages.stream({ model: 'm', max_tokens: 50, messages: [{ role: 'user', content: msg }] });
	const m = await s.finalMessage();
	return m.content[0].text;
});
await run('anthropic create', async () => {
	const m = await anthropic.messages.create({ model: 'm', max_tokens: 50, messages: [{ role: 'user', content: msg }] });
	return m.content[0].text;
});
