// Points the schema tools teams run in CI at a live server:
// graphql-inspector (diff of the declared SDL against the served schema,
// validate of the operations a client sends) and graphql-codegen
// (typescript + typescript-operations with strictScalars and a map of
// gqlplan's scalars). Any problem a tool reports fails the run.
//
// usage: node tools.mjs <url> <schema.graphql> <directory of .graphql operations>
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { buildClientSchema, buildSchema, getIntrospectionQuery, parse, printSchema, Source } from "graphql";
import { diff, validate } from "@graphql-inspector/core";
import { codegen } from "@graphql-codegen/core";
import * as typescript from "@graphql-codegen/typescript";
import * as operations from "@graphql-codegen/typescript-operations";

const [url, sdlPath, opsPath] = process.argv.slice(2);
const declared = buildSchema(readFileSync(sdlPath, "utf8"));
// opsPath is a directory of .graphql files, one operation each.
const ops = readdirSync(opsPath).filter((f) => f.endsWith(".graphql")).sort().map((f) => readFileSync(join(opsPath, f), "utf8")).join("\n");
let failures = 0;

const res = await fetch(url, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ query: getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true, oneOf: true }) }),
});
const served = buildClientSchema((await res.json()).data);

// Introspection carries @specifiedBy as the scalar's specifiedByURL, not
// as a directive on a definition, so a client schema never has the usage
// itself: that change is accepted when the URLs are equal.
const changes = (await diff(declared, served)).filter((c) => {
  const m = /^Directive 'specifiedBy' was removed from scalar '(\w+)'$/.exec(c.message);
  return !(m && served.getType(m[1])?.specifiedByURL && served.getType(m[1]).specifiedByURL === declared.getType(m[1])?.specifiedByURL);
});
console.log(`graphql-inspector diff: ${changes.length} changes`);
for (const c of changes) {
  console.log(`  ${c.criticality.level}: ${c.message}`);
  failures++;
}

const invalid = validate(served, [new Source(ops, "operations.graphql")]);
const problems = invalid.flatMap((d) => [...(d.errors || []), ...(d.deprecated || [])]);
console.log(`graphql-inspector validate: ${problems.length} problems`);
for (const p of problems) {
  console.log(`  ${p.message}`);
  failures++;
}

// The scalar map a TypeScript client declares for gqlplan's scalars.
const scalars = { BigInt: "string", Decimal: "string", DateTime: "string", LocalDateTime: "string", Date: "string", Time: "string", UUID: "string", JSON: "unknown" };
try {
  const out = await codegen({
    filename: "graphql.ts",
    schema: parse(printSchema(served)),
    documents: [{ location: "operations.graphql", document: parse(ops) }],
    config: { strictScalars: true, scalars },
    plugins: [{ typescript: {} }, { "typescript-operations": {} }],
    pluginMap: { typescript, "typescript-operations": operations },
  });
  const types = (out.match(/^export type \w+/gm) || []).length;
  console.log(`graphql-codegen: ${types} types`);
  if (types === 0) failures++;
} catch (e) {
  console.log(`graphql-codegen: ${e.message || e}`);
  failures++;
}
process.exit(failures ? 1 : 0);
