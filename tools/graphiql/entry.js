// GraphiQL as gqlplan serves it (build.sh bundles this with its packages).
// The page gives the endpoint and, in dev, the development token, in a
// JSON script element: no inline script, so the page's
// Content-Security-Policy allows only the server's own files.
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import 'graphiql/style.css';

// Monaco's workers, bundled beside this file.
const workers = new URL('./', import.meta.url);
globalThis.MonacoEnvironment = {
  getWorker(_id, label) {
    const file = label === 'json' ? 'json.worker.js' : label === 'graphql' ? 'graphql.worker.js' : 'editor.worker.js';
    return new Worker(new URL(file, workers), { type: 'module' });
  },
};

const config = JSON.parse(document.getElementById('gqlplan-config').textContent);
const url = new URL(config.url, location.href);
const socket = new URL(url);
socket.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
// The headers editor's headers go on every request; over the WebSocket
// (subscriptions), the toolkit puts them in connection_init's payload,
// where gqlplan reads Authorization.
const fetcher = createGraphiQLFetcher({ url: url.href, subscriptionUrl: socket.href });
createRoot(document.getElementById('graphiql')).render(
  createElement(GraphiQL, {
    fetcher,
    initialQuery: config.query,
    initialHeaders: config.token ? JSON.stringify({ Authorization: `Bearer ${config.token}` }, null, 2) : undefined,
    defaultEditorToolsVisibility: config.token ? 'headers' : false,
  }),
);
