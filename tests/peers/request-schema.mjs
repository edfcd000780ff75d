// tests/peers/request-schema.mjs - validate request bodies against
// OpenAI's published OpenAPI schema (tests/53): reads
// tests/fixtures/openai-openapi/requests.json (argv[2]) and, on stdin,
// lines "SCHEMA<TAB>NAME<TAB>BODY" (SCHEMA a component name such as
// CreateResponse); writes one line per body, "ok<TAB>NAME" or
// "not ok<TAB>NAME<TAB>ajv's errors". One node run for every body.
//
// The OpenAPI dialect, for ajv: the file is OpenAPI 3.1's JSON Schema
// (draft 2020-12 in name, but written with 2019-09's $recursiveRef and
// OpenAPI 3.0's nullable), so Ajv2019 reads it with strict:false:
// - nullable: translated below (ajv's own support wants a type beside
//   it, which many of these schemas have not): nullable:true becomes
//   anyOf [the schema, {type: null}], nullable:false is dropped;
// - discriminator: ignored (ajv's discriminator option wants oneOf
//   branches it cannot read here); the oneOf/anyOf it annotates still
//   decides, so nothing is accepted that the branches refuse;
// - x-* (x-oaiMeta, x-stainless-const, x-oaiTypeLabel, ...), example,
//   deprecated: annotations, ignored;
// The schema allows any property beside its own (no
// additionalProperties:false at the top, its allOf parts could not say
// it), so an unknown or misspelt top-level field would pass: each body's
// top-level keys are also checked against the properties its schema names
// through allOf and $ref.
// - format: not validated (no ajv-formats; none is on a field
//   llm-request writes).
import { readFileSync } from "node:fs";
import Ajv2019 from "ajv/dist/2019.js";

const doc = JSON.parse(readFileSync(process.argv[2], "utf8"));
delete doc.$comment;
// nullable (OpenAPI 3.0) as JSON Schema; keys of properties are names
const denull = (o) => {
	if (Array.isArray(o)) return o.map(denull);
	if (!o || typeof o !== "object") return o;
	const r = {};
	for (const [k, v] of Object.entries(o)) {
		if (k === "nullable") continue;
		if ((k === "properties" || k === "patternProperties" ||
		    k === "$defs" || k === "schemas") && v && typeof v === "object")
			r[k] = Object.fromEntries(Object.entries(v)
			    .map(([n, s]) => [n, denull(s)]));
		else if (k.startsWith("x-") || k === "example" || k === "enum" ||
		    k === "const" || k === "default")
			r[k] = v;
		else r[k] = denull(v);
	}
	return o.nullable === true ? { anyOf: [r, { type: "null" }] } : r;
};
doc.components = denull(doc.components);
const ajv = new Ajv2019({ strict: false, allErrors: false,
    validateFormats: false, logger: false });
ajv.addSchema(doc, "openai");
// the top-level property names of a component, through allOf and $ref
const comps = doc.components.schemas;
const names = (s, acc = new Set()) => {
	if (s.$ref) return names(comps[s.$ref.split("/").pop()], acc);
	for (const k of Object.keys(s.properties || {})) acc.add(k);
	for (const p of s.allOf || []) names(p, acc);
	return acc;
};
const input = readFileSync(0, "utf8");
for (const line of input.split("\n")) {
	if (!line) continue;
	const [schema, name, body] = line.split("\t");
	const v = ajv.getSchema(`openai#/components/schemas/${schema}`);
	if (!v) { console.log(`not ok\t${name}\tno schema ${schema}`); continue; }
	let b;
	try { b = JSON.parse(body); } catch (e) {
		console.log(`not ok\t${name}\tnot JSON: ${e.message}`); continue;
	}
	const unknown = Object.keys(b).filter((k) => !names(comps[schema]).has(k));
	if (unknown.length)
		console.log(`not ok\t${name}\tfields not in ${schema}: ${unknown}`);
	else if (v(b)) console.log(`ok\t${name}`);
	else console.log(`not ok\t${name}\t` + JSON.stringify(v.errors.slice(0, 8)
	    .map((e) => `${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`)));
}
