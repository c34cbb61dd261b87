// The clients that batch, against gqlplan serve --max-batch: Apollo
// Client's BatchHttpLink (the operations issued together go in one POST)
// and graphql-request's batchRequests. Each sends two queries and a
// mutation, and prints what it got and how many POSTs carried how many
// operations.
//
//   node batch.mjs <http url> <token>
import { ApolloClient, InMemoryCache, gql } from '@apollo/client';
import { BatchHttpLink } from '@apollo/client/link/batch-http';
import { GraphQLClient } from 'graphql-request';

const [url, token] = process.argv.slice(2);

// counting wraps fetch, recording the operations of each POST.
function counting() {
  const posts = [];
  const fetchCounted = (input, init) => {
    const body = JSON.parse(init.body);
    posts.push(Array.isArray(body) ? body.length : 'one');
    return fetch(input, init);
  };
  return { posts, fetch: fetchCounted };
}

const apolloFetch = counting();
const apollo = new ApolloClient({
  link: new BatchHttpLink({ uri: url, fetch: apolloFetch.fetch, batchMax: 10, batchInterval: 20, headers: { Authorization: `Bearer ${token}` } }),
  cache: new InMemoryCache(),
});
const apolloResults = await Promise.all([
  apollo.query({ query: gql`query Me { currentPerson { fullName } }` }),
  apollo.query({ query: gql`query Two { allPosts(limit: 2) { rowId } }` }),
  apollo.mutate({ mutation: gql`mutation { createPost(authorId: 1, headline: "batched by Apollo") { headline } }` }),
]);
console.log(JSON.stringify({ client: 'apollo', posts: apolloFetch.posts, results: apolloResults.map((r) => r.data) }));

const requestFetch = counting();
const client = new GraphQLClient(url, { fetch: requestFetch.fetch, headers: { Authorization: `Bearer ${token}` } });
const requestResults = await client.batchRequests([
  { document: `query Me { currentPerson { fullName } }` },
  { document: `mutation($h: String!) { createPost(authorId: 1, headline: $h) { headline } }`, variables: { h: 'batched by graphql-request' } },
  { document: `query Two { allPosts(limit: 1) { headline } }` },
]);
console.log(JSON.stringify({ client: 'graphql-request', posts: requestFetch.posts, results: requestResults.map((r) => r.data) }));
