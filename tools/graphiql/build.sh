#!/usr/bin/env bash
# Vendors GraphiQL: installs the pinned packages of package-lock.json (npm
# checks each one's integrity), bundles entry.js and Monaco's workers with
# esbuild into internal/cli/playground/graphiql, gzipped (the server sends
# them as they are to browsers, all of which take gzip: 2 MB, not 7), and
# writes SHA256SUMS there, of the files before gzip, which a test checks
# against what the binary embeds.
# Run it (make graphiql) after changing a version; commit what it writes.
set -euo pipefail
cd "$(dirname "$0")"
out=../../internal/cli/playground/graphiql
npm ci --no-audit --no-fund --loglevel=error
rm -rf "$out"
mkdir -p "$out"
esbuild=node_modules/.bin/esbuild
common=(--bundle --format=esm --minify --legal-comments=none --target=es2022 --log-level=warning)
"$esbuild" entry.js "${common[@]}" --outfile="$out/graphiql.js" --loader:.ttf=file --asset-names='[name]' \
  --define:process.env.NODE_ENV='"production"'
"$esbuild" node_modules/monaco-editor/esm/vs/editor/editor.worker.js "${common[@]}" --outfile="$out/editor.worker.js"
"$esbuild" node_modules/monaco-editor/esm/vs/language/json/json.worker.js "${common[@]}" --outfile="$out/json.worker.js"
"$esbuild" node_modules/monaco-graphql/esm/graphql.worker.js "${common[@]}" --outfile="$out/graphql.worker.js"
# The versions bundled, for the page's footer and the record.
node -e '
const lock = require("./package-lock.json").packages;
const v = (p) => lock["node_modules/" + p].version;
console.log(JSON.stringify({graphiql: v("graphiql"), react: v("react"), "monaco-editor": v("monaco-editor"), graphql: v("graphql")}, null, 2));
' > "$out/VERSIONS.json"
cd "$out"
sha256sum $(ls | grep -v VERSIONS.json | sort) > SHA256SUMS
for f in $(ls | grep -v -e SHA256SUMS -e VERSIONS.json); do gzip -9n "$f"; done
ls -l
