#!/usr/bin/env bash
# Builds Jaeger's all-in-one (cmd/jaeger, the OpenTelemetry-collector based v2
# binary) from the Go module proxy into $1, the way build-ferretdb.sh builds
# FerretDB: the exact version is downloaded, copied out of the read-only module
# cache and built. The UI assets are not embedded (the query API is all the
# tests need); Jaeger then serves a placeholder page at /.
set -euo pipefail
out=${1:?usage: build-jaeger.sh OUTPUT_BINARY}
version=${JAEGER_VERSION:-v1.76.0}
command -v go >/dev/null || { echo "build-jaeger: Go is not installed; install Go to build Jaeger for the tracing test" >&2; exit 1; }
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
cd "$work"
dir=$(GOFLAGS=-mod=mod go mod download -json "github.com/jaegertracing/jaeger@$version" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
[ -n "$dir" ] || { echo "build-jaeger: could not download Jaeger $version from the Go module proxy" >&2; exit 1; }
cp -r "$dir" src && chmod -R u+w src
mkdir -p "$(dirname "$out")"
(cd src && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -o "$out.tmp" ./cmd/jaeger)
mv "$out.tmp" "$out"
