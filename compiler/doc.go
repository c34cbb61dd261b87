// Package compiler checks declarations ([decl.File]) and turns them into a
// plan ([spec.Plan]).
//
// [Compile] runs every check over the whole set of files and returns all
// diagnostics it found, sorted by file and position; it produces a plan only
// when no diagnostic is an error. Results depend only on the declarations,
// never on the order the files were given in. [LoadPaths] finds and reads
// declaration files from paths on disk, dispatching to the front end for
// each file's extension.
package compiler
