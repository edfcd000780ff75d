// openai-requests.mjs BASE_URL - the peer for llm-request: one streaming
// chat request with the openai package, the raw text printed as it comes.
import OpenAI from 'openai';

const client = new OpenAI({ apiKey: 'test', baseURL: process.argv[2], maxRetries: 0 });
const stream = await client.chat.completions.create({
  model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Say hi' }],
});
for await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta?.content ?? '');
