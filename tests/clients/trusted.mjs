// Trusted documents with Apollo Client: the forum client's operations
// made into Apollo's persisted-query manifest by
// @apollo/generate-persisted-query-manifest, then sent by id alone by
// Apollo Client's persisted-query link with @apollo/persisted-query-lists.
//
//   node trusted.mjs manifest <.graphql glob> <manifest.json>
//       writes the manifest of the operations the glob's files hold
//   node trusted.mjs run <http url> <manifest.json> <token>
//       runs Me and NewestPosts by id, prints each result and whether a
//       request carried a document's text
import { readFile, writeFile } from 'node:fs/promises';
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { generatePersistedQueryManifest } from '@apollo/generate-persisted-query-manifest';
import { generatePersistedQueryIdsFromManifest } from '@apollo/persisted-query-lists';

const [command, ...args] = process.argv.slice(2);
if (command === 'manifest') {
  const [documents, output] = args;
  const manifest = await generatePersistedQueryManifest({ documents: [documents], output }, undefined);
  await writeFile(output, JSON.stringify(manifest, null, 2));
  console.log(JSON.stringify({ operations: manifest.operations.map((o) => o.name) }));
} else {
  const [url, manifestFile, token] = args;
  const manifest = JSON.parse(await readFile(manifestFile, 'utf8'));
  const sent = [];
  const fetchRecorded = (input, init) => {
    sent.push(JSON.parse(init.body));
    return fetch(input, init);
  };
  const client = new ApolloClient({
    link: new PersistedQueryLink(generatePersistedQueryIdsFromManifest({ loadManifest: () => manifest }))
      .concat(new HttpLink({ uri: url, fetch: fetchRecorded, headers: { Authorization: `Bearer ${token}` } })),
    cache: new InMemoryCache(),
  });
  const body = (name) => manifest.operations.find((o) => o.name === name).body;
  const me = await client.query({ query: gql(body('Me')) });
  const newest = await client.query({ query: gql(body('NewestPosts')), variables: { limit: 2 } });
  console.log(JSON.stringify({ me: me.data, newest: newest.data.allPosts.length }));
  console.log(JSON.stringify({ requests: sent.length, withText: sent.filter((b) => typeof b.query === 'string').length,
    hashes: sent.filter((b) => b.extensions?.persistedQuery?.sha256Hash).length }));
}
