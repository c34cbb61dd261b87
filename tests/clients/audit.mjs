// Runs graphql-http's audits of the GraphQL over HTTP specification
// against a server and prints one line per result; exits 1 on any error.
//
// usage: node audit.mjs <url>
import { serverAudits } from "graphql-http";

const [url] = process.argv.slice(2);
const counts = { ok: 0, warn: 0, error: 0 };
for (const audit of serverAudits({ url, fetchFn: fetch })) {
  const result = await audit.fn();
  counts[result.status]++;
  if (result.status !== "ok") console.log(`${result.status}: ${audit.name}: ${result.reason}`);
}
console.log(`audit: ${counts.ok} ok, ${counts.warn} warn, ${counts.error} error`);
process.exit(counts.error ? 1 : 0);
