// The normalized caches of Apollo Client (InMemoryCache) and urql
// (Graphcache) against a gqlplan server, without custom keys: each query
// is read once from the network and then again from the cache alone, and
// Post 1 and Person 1 — the same row key — are two cache entries, as the
// default keys (__typename and id) make them. Any warning a client prints
// is a failure.
//
// usage: node caches.mjs <url> <Post 1 id> <Person 1 id>
import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { Client, fetchExchange } from "@urql/core";
import { cacheExchange } from "@urql/exchange-graphcache";

const [url, postID, personID] = process.argv.slice(2);
const warnings = [];
for (const level of ["warn", "error"]) {
  console[level] = (...args) => warnings.push(args.map(String).join(" "));
}
let failures = 0;
const fail = (what) => {
  failures++;
  console.log(`FAIL ${what}`);
};

const QUERY = `query PostAndPerson($post: ID!, $person: ID!) {
  postById(id: $post) { id rowId headline author { id fullName } }
  personById(id: $person) { id rowId fullName latestPost { id headline } }
  node(id: $post) { id __typename ... on Post { headline } }
}`;
const variables = { post: postID, person: personID };

function checkData(client, data) {
  if (data?.postById?.rowId !== 1 || data?.personById?.rowId !== 1 || data?.node?.__typename !== "Post") {
    fail(`${client}: ${JSON.stringify(data)}`);
  }
}

// Apollo Client: the cache keys entries Post:<id> and Person:<id>.
const apollo = new ApolloClient({ link: new HttpLink({ uri: url }), cache: new InMemoryCache({ possibleTypes: { Node: ["Person", "Post"] } }) });
const fromNetwork = await apollo.query({ query: gql(QUERY), variables, fetchPolicy: "network-only" });
checkData("apollo network", fromNetwork.data);
const fromCache = await apollo.query({ query: gql(QUERY), variables, fetchPolicy: "cache-only" });
checkData("apollo cache-only", fromCache.data);
const keys = Object.keys(apollo.cache.extract());
if (!keys.includes(`Post:${postID}`) || !keys.includes(`Person:${personID}`)) fail(`apollo cache keys: ${keys}`);
console.log(`apollo: ok, cache entries ${keys.filter((k) => k !== "ROOT_QUERY").length}`);

// urql Graphcache, with its default keys.
const urql = new Client({ url, exchanges: [cacheExchange({ possibleTypes: { Node: ["Person", "Post"] } }), fetchExchange], preferGetMethod: false });
const first = await urql.query(QUERY, variables, { requestPolicy: "network-only" }).toPromise();
if (first.error) fail(`urql network: ${first.error}`);
checkData("urql network", first.data);
const second = await urql.query(QUERY, variables, { requestPolicy: "cache-only" }).toPromise();
checkData("urql cache-only", second.data);
if (second.operation.context.meta?.cacheOutcome !== "hit") fail(`urql cache-only: outcome ${second.operation.context.meta?.cacheOutcome}`);
console.log(`urql graphcache: ok, ${second.operation.context.meta?.cacheOutcome}`);

for (const w of warnings) fail(`warning: ${w}`);
console.log(failures === 0 ? "caches: ok" : `caches: ${failures} failures`);
process.exit(failures === 0 ? 0 : 1);
