#!/usr/bin/env bash
# Builds GraphiQL's bundle, which gqlplan embeds (internal/cli/playground/
# graphiql): installs the pinned packages of package-lock.json (npm checks
# each one's integrity), bundles entry.js and Monaco's workers with esbuild,
# checks every file against the SHA256SUMS committed there — the build is
# reproducible: the same packages give the same bytes — and gzips them (the
# server sends them as they are: 2 MB, not 7). The bundle is not committed
# (a file of it is over 1 MB): make build, test and demo run this when it is
# missing.
#
#   tools/graphiql/build.sh            build, and check against SHA256SUMS
#   tools/graphiql/build.sh --update   after changing a version in
#                                      package.json: write SHA256SUMS and
#                                      VERSIONS.json anew; commit them
set -euo pipefail
cd "$(dirname "$0")"
out=$(cd ../../internal/cli/playground/graphiql && pwd)
update=false
[ "${1:-}" = "--update" ] && update=true
npm ci --no-audit --no-fund --loglevel=error
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
esbuild=node_modules/.bin/esbuild
common=(--bundle --format=esm --minify --legal-comments=none --target=es2022 --log-level=warning)
"$esbuild" entry.js "${common[@]}" --outfile="$work/graphiql.js" --loader:.ttf=file --asset-names='[name]' \
  --define:process.env.NODE_ENV='"production"'
"$esbuild" node_modules/monaco-editor/esm/vs/editor/editor.worker.js "${common[@]}" --outfile="$work/editor.worker.js"
"$esbuild" node_modules/monaco-editor/esm/vs/language/json/json.worker.js "${common[@]}" --outfile="$work/json.worker.js"
"$esbuild" node_modules/monaco-graphql/esm/graphql.worker.js "${common[@]}" --outfile="$work/graphql.worker.js"
cd "$work"
if $update; then
  sha256sum $(ls | sort) > "$out/SHA256SUMS"
  # The versions bundled, for the record (a test compares them with package.json).
  node -e '
const lock = require(process.argv[1]).packages;
const v = (p) => lock["node_modules/" + p].version;
console.log(JSON.stringify({graphiql: v("graphiql"), react: v("react"), "monaco-editor": v("monaco-editor"), graphql: v("graphql")}, null, 2));
' "$OLDPWD/package-lock.json" > "$out/VERSIONS.json"
elif ! sha256sum --quiet -c "$out/SHA256SUMS"; then
  echo "tools/graphiql/build.sh: the bundle differs from internal/cli/playground/graphiql/SHA256SUMS; after changing a version, run it with --update" >&2
  exit 1
fi
rm -f "$out"/*.gz
for f in *; do
  gzip -9n "$f"
  mv "$f.gz" "$out/"
done
ls -l "$out"
