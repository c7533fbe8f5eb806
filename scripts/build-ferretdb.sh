#!/usr/bin/env bash
# Builds FerretDB from the Go module proxy into $1 (the binary path).
# `go install …@version` fails on proxies that refuse the module's version list,
# so the exact version is downloaded, copied out of the read-only module cache,
# given the version.txt its build expects, and built.
set -euo pipefail
out=${1:?usage: build-ferretdb.sh OUTPUT_BINARY}
version=${FERRETDB_VERSION:-v1.24.2}
command -v go >/dev/null || { echo "build-ferretdb: Go is not installed; install Go or set MONGODB_URI to a MongoDB server" >&2; exit 1; }
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
cd "$work"
dir=$(GOFLAGS=-mod=mod go mod download -json "github.com/FerretDB/FerretDB@$version" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
[ -n "$dir" ] || { echo "build-ferretdb: could not download FerretDB $version from the Go module proxy" >&2; exit 1; }
cp -r "$dir" src && chmod -R u+w src
echo "$version" > src/build/version/version.txt
mkdir -p "$(dirname "$out")"
(cd src && CGO_ENABLED=0 go build -trimpath -o "$out.tmp" ./cmd/ferretdb)
mv "$out.tmp" "$out"
