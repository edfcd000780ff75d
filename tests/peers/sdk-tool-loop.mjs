// sdk-tool-loop.mjs KIND BASE_URL - run an official SDK's documented tool
// loop against a server (llm-mock --log-requests): the question, then,
// while the model calls tools, its message and one result per call
// ("sunny, 21 C"), until it answers in text. KIND: openai-chat (openai:
// push completion.choices[0].message, then role "tool" messages),
// anthropic (@anthropic-ai/sdk: push {role: 'assistant', content:
// message.content}, then the tool_result blocks in one user message),
// openai-responses (openai: push the output items, then
// function_call_output items). Prints the final text.
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';

const [kind, base] = process.argv.slice(2);
const system = 'Be brief.';
const question = 'Weather in Paris?';
const result = 'sunny, 21 C';
const params = { type: 'object', properties: { city: { type: 'string' } } };

if (kind === 'openai-chat') {
	const client = new OpenAI({ apiKey: 'test', baseURL: `${base}/v1`, maxRetries: 0 });
	const tools = [{ type: 'function', function: { name: 'get_weather', parameters: params } }];
	const messages = [{ role: 'system', content: system }, { role: 'user', content: question }];
	let c = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools });
	while (c.choices[0].message.tool_calls?.length) {
		messages.push(c.choices[0].message);
		for (const call of c.choices[0].message.tool_calls)
			messages.push({ role: 'tool', tool_call_id: call.id, content: result });
		c = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools });
	}
	console.log(c.choices[0].message.content);
} else if (kind === 'anthropic') {
	const client = new Anthropic({ apiKey: 'test', baseURL: base, maxRetries: 0 });
	const tools = [{ name: 'get_weather', input_schema: params }];
	const messages = [{ role: 'user', content: question }];
	const ask = () => client.messages.create({ model: 'claude-sonnet-4-5',
		max_tokens: 1024, system, messages, tools });
	let m = await ask();
	while (m.stop_reason === 'tool_use') {
		messages.push({ role: 'assistant', content: m.content });
		messages.push({ role: 'user', content: m.content.filter((b) => b.type === 'tool_use')
			.map((b) => ({ type: 'tool_result', tool_use_id: b.id, content: result })) });
		m = await ask();
	}
	console.log(m.content.filter((b) => b.type === 'text').map((b) => b.text).join(''));
} else if (kind === 'openai-responses') {
	const client = new OpenAI({ apiKey: 'test', baseURL: `${base}/v1`, maxRetries: 0 });
	const tools = [{ type: 'function', name: 'get_weather', parameters: params }];
	const input = [{ role: 'user', content: question }];
	const ask = () => client.responses.create({ model: 'gpt-4o-mini',
		instructions: system, input, tools });
	let r = await ask();
	let calls;
	while ((calls = r.output.filter((i) => i.type === 'function_call')).length) {
		input.push(...r.output);
		for (const call of calls)
			input.push({ type: 'function_call_output', call_id: call.call_id, output: result });
		r = await ask();
	}
	console.log(r.output_text);
} else {
	console.error('usage: sdk-tool-loop.mjs openai-chat|anthropic|openai-responses BASE_URL');
	process.exit(2);
}
