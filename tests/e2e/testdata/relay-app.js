// A small Relay app over the forum, compiled by relay-compiler in
// TestRelayCompilerAcceptsTheSchema.
import { graphql } from "react-relay";

export const postsQuery = graphql`
  query AppPostsQuery($search: String!) {
    searchPosts(search: $search, first: 2) @connection(key: "App_searchPosts") {
      edges { node { headline ...AppPost_post } }
    }
  }
`;

export const post = graphql`
  fragment AppPost_post on Post {
    headline
    createdAt
    author { fullName }
  }
`;

export const peopleQuery = graphql`
  query AppPeopleQuery($first: Int) {
    allPeople(first: $first, orderBy: [{ field: FIRST_NAME }]) {
      totalCount
      nodes { fullName latestPost { headline } }
    }
  }
`;
