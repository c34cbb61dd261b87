// Apollo Client (GraphQLWsLink) and urql (subscriptionExchange over
// graphql-ws), subscribed to a gqlplan subscription: each prints its first
// result; then a post is written over HTTP as the token's person, and each
// prints its first result that holds it. Any warning a client prints is a
// failure.
//
//   node subscriptions.mjs <http url> <token> <subscription> <mutation> <text the update holds>
import { ApolloClient, InMemoryCache, gql } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { Client, subscriptionExchange } from '@urql/core';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const [url, token, subscription, mutation, expected] = process.argv.slice(2);
const warnings = [];
for (const level of ['warn', 'error']) {
  console[level] = (...args) => warnings.push(args.map(String).join(' '));
}
const ws = () => createClient({
  url: url.replace(/^http/, 'ws'),
  webSocketImpl: WebSocket,
  connectionParams: { Authorization: `Bearer ${token}` },
  retryAttempts: 0,
});

// Each client's results, as a promise of the first and of the first
// holding the expected text.
function watch(name, subscribe) {
  let first, updated;
  const gotFirst = new Promise((resolve) => { first = resolve; });
  const gotUpdate = new Promise((resolve) => { updated = resolve; });
  let n = 0;
  const stop = subscribe((result) => {
    if (n++ === 0) first(result);
    else if (JSON.stringify(result).includes(expected)) updated(result);
  });
  return { name, gotFirst, gotUpdate, stop };
}

const apolloWS = ws();
const apollo = new ApolloClient({ link: new GraphQLWsLink(apolloWS), cache: new InMemoryCache() });
const urqlWS = ws();
const urql = new Client({
  url,
  exchanges: [subscriptionExchange({
    forwardSubscription(request) {
      const input = { ...request, query: request.query || '' };
      return { subscribe(sink) { return { unsubscribe: urqlWS.subscribe(input, sink) }; } };
    },
  })],
});

const clients = [
  watch('apollo', (push) => {
    const s = apollo.subscribe({ query: gql(subscription) }).subscribe({ next: (r) => push(r.data), error: (e) => push({ error: String(e) }) });
    return () => s.unsubscribe();
  }),
  watch('urql', (push) => {
    const s = urql.subscription(subscription, {}).subscribe((r) => push(r.error ? { error: String(r.error) } : r.data));
    return () => s.unsubscribe();
  }),
];
for (const c of clients) console.log(JSON.stringify({ client: c.name, first: await c.gotFirst }));
const written = await fetch(url, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
  body: JSON.stringify({ query: mutation }),
});
console.log(JSON.stringify({ mutation: await written.json() }));
const timeout = setTimeout(() => { console.log(JSON.stringify({ timeout: true })); process.exit(1); }, 20000);
for (const c of clients) {
  console.log(JSON.stringify({ client: c.name, update: await c.gotUpdate }));
  c.stop();
}
clearTimeout(timeout);
await apolloWS.dispose();
await urqlWS.dispose();
if (warnings.length) {
  console.log(JSON.stringify({ warnings }));
  process.exit(1);
}
