#!/usr/bin/env bash
# Installs what gotrt's tests use on a fresh Debian machine:
#  - Go modules (go mod download)
#  - ONNX's official backend test data (Debian package libonnx-testdata)
#  - ONNX Runtime's shared library from the npm package onnxruntime-node
# Each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

go mod download

if [ ! -d /usr/include/onnx/backend/test/data/node ]; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    echo "setup: installing libonnx-testdata (ONNX backend test data)"
    $SUDO apt-get update -qq || true
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libonnx-testdata >/dev/null
  else
    echo "setup: apt-get not found; ONNX conformance tests will skip" >&2
  fi
fi

if [ -x scripts/fetch-ort.sh ] || [ -f scripts/fetch-ort.sh ]; then
  bash scripts/fetch-ort.sh || echo "setup: could not fetch ONNX Runtime; tests that need it will skip" >&2
fi
