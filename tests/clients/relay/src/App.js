// A small Relay app over the forum: pagination fragments on Query.allPeople
// and Person.posts (@refetchable: the second refetches through
// node(id:)), a @connection on searchPosts, and node(id:) itself.
// relay-compiler compiles it against the schema gqlplan serves; relay.mjs
// runs the artifacts with relay-runtime against the server.
import { graphql } from "relay-runtime";

export const peopleQuery = graphql`
  query AppPeopleQuery {
    ...App_people
  }
`;

export const people = graphql`
  fragment App_people on Query
  @refetchable(queryName: "AppPeoplePaginationQuery")
  @argumentDefinitions(first: { type: "Int", defaultValue: 2 }, after: { type: "String" }) {
    allPeople(first: $first, after: $after, orderBy: [{ field: FIRST_NAME }]) @connection(key: "App_allPeople") {
      edges {
        node {
          id
          rowId
          firstName
          ...AppPerson_posts
        }
      }
    }
  }
`;

export const personPosts = graphql`
  fragment AppPerson_posts on Person
  @refetchable(queryName: "AppPersonPostsPaginationQuery")
  @argumentDefinitions(first: { type: "Int", defaultValue: 1 }, after: { type: "String" }) {
    fullName
    posts(first: $first, after: $after) @connection(key: "AppPerson_posts") {
      edges {
        node {
          id
          rowId
          headline
        }
      }
    }
  }
`;

export const searchQuery = graphql`
  query AppSearchQuery($search: String!) {
    searchPosts(search: $search, first: 2) @connection(key: "App_searchPosts") {
      edges {
        node {
          id
          ...AppPost_post
        }
      }
    }
  }
`;

export const post = graphql`
  fragment AppPost_post on Post {
    headline
    createdAt
    author {
      id
      fullName
    }
  }
`;

export const nodeQuery = graphql`
  query AppNodeQuery($id: ID!) {
    node(id: $id) {
      id
      __typename
      ... on Post {
        rowId
        headline
      }
      ... on Person {
        rowId
        fullName
      }
    }
  }
`;
