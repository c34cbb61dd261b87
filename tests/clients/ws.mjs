// graphql-ws's client — the graphql-transport-ws protocol, what Apollo
// Client's GraphQLWsLink and urql's subscriptionExchange use — against a
// gqlplan server: each operation of argv's JSON list run over one socket,
// then one with a bad token. Prints a JSON line per result, and the close
// code of the refused socket.
//
//   node ws.mjs <http url> <token> '[{"query": "...", "variables": {}}, ...]'
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const [url, token, operations] = process.argv.slice(2);
const wsURL = url.replace(/^http/, 'ws');

function client(authorization) {
  return createClient({
    url: wsURL,
    webSocketImpl: WebSocket,
    connectionParams: { Authorization: authorization },
    retryAttempts: 0,
    lazy: true,
  });
}

const good = client(`Bearer ${token}`);
for (const op of JSON.parse(operations)) {
  for await (const result of good.iterate(op)) {
    console.log(JSON.stringify({ result }));
  }
}
await good.dispose();

const bad = client('Bearer not.a.token');
try {
  for await (const result of bad.iterate({ query: '{ __typename }' })) {
    console.log(JSON.stringify({ unexpected: result }));
  }
} catch (e) {
  console.log(JSON.stringify({ closed: e.code, reason: e.reason }));
}
await bad.dispose();
