# tests/request-cases.sh - the OpenAI request bodies llm-request builds,
# one per option of issue 21 that changes them (Chat Completions and
# Responses), shared by tests/52 (the openai SDK's types) and tests/53
# (OpenAI's OpenAPI schema). Sourced after the test defines
#   openai_row KIND NAME ARGS...
# KIND chat, chat-nostream or responses; ARGS are llm-request's, run
# with --dry-run in tests/llm-request (the tools*.json, messages.json and
# body-plain.json there).
openai_row chat "openai" -s sys --max-tokens 10 --temperature 0.5 hi
openai_row chat-nostream "openai, --no-stream" --no-stream hi
openai_row chat "openai, local host" --base-url http://127.0.0.1:8000/v1 --max-tokens 10 hi
openai_row chat "openai, Mistral" --base-url https://api.mistral.ai/v1 --max-tokens 10 hi
openai_row chat "openai, Azure classic" --base-url 'https://r.openai.azure.com/openai/deployments/d?api-version=2024-10-21' --max-tokens 10 hi
openai_row chat "openai, Azure v1" --base-url https://r.openai.azure.com/openai/v1 hi
for l in none low medium high; do
	openai_row chat "openai, --reasoning $l" -m o4-mini --reasoning $l hi
done
openai_row chat "openai, --tools" --tools tools.json hi
openai_row chat "openai, flat --tools" --tools tools-flat.json hi
openai_row chat "openai, --messages" --messages messages.json hi
openai_row chat "openai, --body" --body body-plain.json
openai_row responses "responses" -p responses -s sys --max-tokens 16 --temperature 0.5 hi
for l in none low medium high; do
	openai_row responses "responses, --reasoning $l" -p responses -m gpt-5 --reasoning $l hi
done
openai_row responses "responses, --tools" -p responses --tools tools.json hi
openai_row responses "responses, Responses-only model" -m gpt-5-pro hi
