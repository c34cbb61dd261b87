// Runs the Relay app of relay/ (compiled by relay-compiler into
// relay/src/__generated__) with relay-runtime against a gqlplan server:
// the people pagination fragment two pages deep, a person's posts paged
// through node(id:), the search connection, and node(id:) for a post and a
// person with the same row key. Prints what the store holds as JSON; any
// warning relay-runtime prints is collected into "warnings".
//
//   node relay.mjs http://127.0.0.1:8080/graphql <Post 1 id> <Person 1 id>
//
// Compiled with relay.persisted.json (persistConfig), the artifacts hold
// ids, not texts: each request then sends its doc_id alone, as Relay's
// persisted queries do.
import { createRequire } from "node:module";
import relay from "relay-runtime";

const { Environment, Network, RecordSource, Store, fetchQuery, commitLocalUpdate, ConnectionHandler } = relay;
const require = createRequire(import.meta.url);
const artifact = (name) => require(`./relay/src/__generated__/${name}.graphql.js`);
const [url, postID, personID] = process.argv.slice(2);

const warnings = [];
for (const level of ["warn", "error"]) {
  console[level] = (...args) => warnings.push(args.map(String).join(" "));
}

const network = Network.create(async (params, variables) => {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/graphql-response+json" },
    body: JSON.stringify(params.id ? { doc_id: params.id, variables } : { query: params.text, variables }),
  });
  const body = await response.json();
  if (body.errors) warnings.push(`errors from ${params.name}: ${JSON.stringify(body.errors)}`);
  return body;
});
const env = new Environment({ network, store: new Store(new RecordSource()) });
const run = (name, variables = {}) => fetchQuery(env, artifact(name), variables).toPromise();

// What a connection of the store holds: its edges' node ids, its end cursor.
function connection(parentID, key, filters) {
  let out = null;
  commitLocalUpdate(env, (store) => {
    const parent = parentID ? store.get(parentID) : store.getRoot();
    const conn = parent && ConnectionHandler.getConnection(parent, key, filters);
    if (!conn) return;
    out = {
      ids: (conn.getLinkedRecords("edges") || []).map((e) => e.getLinkedRecord("node").getDataID()),
      endCursor: conn.getLinkedRecord("pageInfo").getValue("endCursor"),
      hasNextPage: conn.getLinkedRecord("pageInfo").getValue("hasNextPage"),
    };
  });
  return out;
}

const record = (id) => {
  const r = env.getStore().getSource().get(id);
  return r ? Object.fromEntries(Object.entries(r).filter(([k]) => !k.startsWith("__") || k === "__typename")) : null;
};

const out = {};
const peopleFilters = { orderBy: [{ field: "FIRST_NAME" }] };
await run("AppPeopleQuery");
const firstPage = connection(null, "App_allPeople", peopleFilters);
await run("AppPeoplePaginationQuery", { first: 2, after: firstPage.endCursor });
out.people = connection(null, "App_allPeople", peopleFilters);

const person = out.people.ids[0];
const postsFirst = connection(person, "AppPerson_posts");
await run("AppPersonPostsPaginationQuery", { id: person, first: 1, after: postsFirst?.endCursor ?? null });
out.personPosts = connection(person, "AppPerson_posts");

await run("AppSearchQuery", { search: "circuit" });
out.search = connection(null, "App_searchPosts", { search: "circuit" });

await run("AppNodeQuery", { id: postID });
await run("AppNodeQuery", { id: personID });
out.post = record(postID);
out.person = record(personID);
out.warnings = warnings;
process.stdout.write(JSON.stringify(out) + "\n");
