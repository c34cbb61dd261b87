package compiler

// Version is the gqlplan version recorded in every plan. It is a constant,
// not a build stamp, so that the same declarations compile to the same bytes
// on every machine; it changes with each release.
const Version = "0.1.0"
