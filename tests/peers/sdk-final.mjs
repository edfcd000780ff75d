// sdk-final.mjs KIND FILE... - run an official SDK's stream accumulator
// on each FILE (a raw text/event-stream body) and print its final object,
// one JSON line per file ({"sdk_error":"..."} when the SDK rejects it).
// KIND: openai-chat (ChatCompletionStream.finalChatCompletion),
// openai-responses (ResponseStream.finalResponse), anthropic
// (MessageStream.finalMessage), or auto: the one each file's events call
// for (Gemini has none in these packages: the chat one then rejects it).
// The SDK's own SSE decoder reads the bytes:
// the client gets a custom fetch answering with the file as the body.
import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';

const [argKind, ...files] = process.argv.slice(2);
if (!argKind || files.length === 0) {
	console.error('usage: sdk-final.mjs openai-chat|openai-responses|anthropic|auto FILE...');
	process.exit(2);
}

function fetchOf(bytes) {
	return async () => new Response(bytes, {
		status: 200,
		headers: { 'content-type': 'text/event-stream' },
	});
}

// sniff: the kind a stream's bytes look like, for auto
function sniff(bytes) {
	const head = bytes.subarray(0, 4096).toString();
	if (/message_start/.test(head)) return 'anthropic';
	if (/response\.created/.test(head)) return 'openai-responses';
	return 'openai-chat';
}

async function final(file) {
	const bytes = readFileSync(file);
	const kind = argKind === 'auto' ? sniff(bytes) : argKind;
	const opts = { apiKey: 'test', baseURL: 'http://127.0.0.1:9/v1',
		fetch: fetchOf(bytes), maxRetries: 0 };
	if (kind === 'openai-chat') {
		const c = new OpenAI(opts);
		const s = c.chat.completions.stream({ model: 'm', messages: [] });
		return await s.finalChatCompletion();
	}
	if (kind === 'openai-responses') {
		const c = new OpenAI(opts);
		const s = c.responses.stream({ model: 'm', input: 'x' });
		return await s.finalResponse();
	}
	if (kind === 'anthropic') {
		const c = new Anthropic({ ...opts, baseURL: 'http://127.0.0.1:9' });
		const s = c.messages.stream({ model: 'm', max_tokens: 1, messages: [] });
		return await s.finalMessage();
	}
	throw new Error(`unknown kind ${kind}`);
}

const out = [];
for (const f of files) {
	try {
		out.push(JSON.stringify(await final(f)));
	} catch (e) {
		out.push(JSON.stringify({ sdk_error: String(e && e.message || e) }));
	}
}
process.stdout.write(out.join('\n') + '\n');
