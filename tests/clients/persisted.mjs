// Drives Apollo Client's PersistedQueryLink and urql's persistedExchange
// (automatic persisted queries) against a server that keeps no persisted
// documents: each client first sends only the document's hash, must get
// PERSISTED_QUERY_NOT_FOUND, and must then send the document and get its
// data — over POST, and over GET for hashed queries.
//
// usage: node persisted.mjs <url>
import { createHash } from "node:crypto";
import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";
import * as apq from "@apollo/client/link/persisted-queries";
import { Client, fetchExchange } from "@urql/core";
import { persistedExchange } from "@urql/exchange-persisted";

const [url] = process.argv.slice(2);
const QUERY = "query TwoPosts { allPosts(limit: 2) { id headline } }";
const sha256 = (text) => createHash("sha256").update(text).digest("hex");
let failures = 0;

// countingFetch records what each request sent and what it got.
function countingFetch(log) {
  return async (input, init = {}) => {
    const res = await fetch(input, init);
    const target = new URL(typeof input === "string" ? input : input.url);
    const body = init.body ? JSON.parse(init.body) : Object.fromEntries(target.searchParams);
    log.push({ method: init.method || "GET", document: Boolean(body.query), status: res.status });
    return res;
  };
}

function check(name, log, data) {
  const ok =
    log.length === 2 && !log[0].document && log[1].document && log[1].status === 200 &&
    data?.allPosts?.length === 2;
  console.log(`${name}: ${ok ? "ok" : "FAILED"} ${JSON.stringify(log)}`);
  if (!ok) failures++;
}

for (const useGET of [false, true]) {
  const log = [];
  const persisted = apq.PersistedQueryLink
    ? new apq.PersistedQueryLink({ sha256, useGETForHashedQueries: useGET })
    : apq.createPersistedQueryLink({ sha256, useGETForHashedQueries: useGET });
  const client = new ApolloClient({
    cache: new InMemoryCache(),
    link: persisted.concat(new HttpLink({ uri: url, fetch: countingFetch(log) })),
  });
  try {
    const { data } = await client.query({ query: gql(QUERY), fetchPolicy: "network-only" });
    check(`Apollo Client ${useGET ? "GET" : "POST"}`, log, data);
  } catch (e) {
    console.log(`Apollo Client ${useGET ? "GET" : "POST"}: FAILED ${e} ${JSON.stringify(log)}`);
    failures++;
  }
}

for (const preferGet of [false, true]) {
  const log = [];
  const client = new Client({
    url,
    fetch: countingFetch(log),
    preferGetMethod: false,
    exchanges: [persistedExchange({ generateHash: async (q) => sha256(q), preferGetForPersistedQueries: preferGet }), fetchExchange],
  });
  const result = await client.query(QUERY, {}).toPromise();
  if (result.error) {
    console.log(`urql ${preferGet ? "GET" : "POST"}: FAILED ${result.error} ${JSON.stringify(log)}`);
    failures++;
  } else {
    check(`urql ${preferGet ? "GET" : "POST"}`, log, result.data);
  }
}
process.exit(failures ? 1 : 0);
