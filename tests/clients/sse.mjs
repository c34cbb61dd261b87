// graphql-sse's client (GraphQL over Server-Sent Events, distinct
// connections mode) subscribed to a gqlplan subscription: prints the first
// result, then sends the mutation over HTTP as the same token and prints
// the first result after it, then completes.
//
//   node sse.mjs <http url> <token> <subscription> <mutation>
import { createClient } from 'graphql-sse';

const [url, token, subscription, mutation] = process.argv.slice(2);
const client = createClient({ url, headers: { Authorization: `Bearer ${token}` }, retryAttempts: 0 });

const results = client.iterate({ query: subscription });
const first = await results.next();
console.log(JSON.stringify({ first: first.value }));
const written = await fetch(url, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
  body: JSON.stringify({ query: mutation }),
});
console.log(JSON.stringify({ mutation: await written.json() }));
const timeout = setTimeout(() => { console.log(JSON.stringify({ timeout: true })); process.exit(1); }, 20000);
const next = await results.next();
clearTimeout(timeout);
console.log(JSON.stringify({ next: next.value }));
await results.return();
client.dispose();
