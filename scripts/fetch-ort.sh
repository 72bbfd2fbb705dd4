#!/usr/bin/env bash
# fetch-ort.sh — put ONNX Runtime's shared library (CPU build) into gotrt's cache.
#
# gotrt uses ONNX Runtime as its independent reference (package internal/ort).
# The library is taken from the npm package onnxruntime-node, which ships a
# prebuilt libonnxruntime.so.1 for Linux x64 and arm64. The package is fetched
# with `npm pack` from npm's configured registry (see `npm config get registry`),
# so proxies and mirrors configured for npm apply.
#
# Result: ${GOTRT_CACHE_DIR:-$HOME/.cache/gotrt}/onnxruntime-node-1.30.0/libonnxruntime.so.1
# (and any shared library shipped next to it). The path is printed on stdout.
# Running it again does nothing when the library is already there.
#
# Environment:
#   GOTRT_CACHE_DIR   cache root (default $HOME/.cache/gotrt)
#
# internal/ort finds the library there, or wherever GOTRT_ORT_LIB points.
set -euo pipefail

ORT_NODE_VERSION=1.30.0
PKG="onnxruntime-node@${ORT_NODE_VERSION}"
LIB=libonnxruntime.so.1

die() {
	echo "fetch-ort.sh: error: $*" >&2
	exit 1
}

case "$(uname -s)" in
Linux) ;;
*) die "only Linux is supported (this is $(uname -s)); point GOTRT_ORT_LIB at an ONNX Runtime shared library instead" ;;
esac

case "$(uname -m)" in
x86_64 | amd64)
	ARCH=x64
	WANT_SHA256=ffb75a925ba05e47b235bb66e3e3911714a80b328a9c9425539feb204aa32a23
	;;
aarch64 | arm64)
	ARCH=arm64
	WANT_SHA256=1f549d46250b005580b597f4164984aaf75b3bcb9f3aeb07c7f8a8fe60b23c76
	;;
*) die "unsupported CPU architecture $(uname -m) ($PKG ships linux x64 and arm64 only)" ;;
esac

if [[ -z "${GOTRT_CACHE_DIR:-}" && -z "${HOME:-}" ]]; then
	die "neither GOTRT_CACHE_DIR nor HOME is set; set GOTRT_CACHE_DIR to choose the cache directory"
fi
CACHE_ROOT="${GOTRT_CACHE_DIR:-$HOME/.cache/gotrt}"
DEST="${CACHE_ROOT}/onnxruntime-node-${ORT_NODE_VERSION}"

if [[ -f "${DEST}/${LIB}" ]]; then
	echo "${DEST}/${LIB}"
	exit 0
fi

command -v npm >/dev/null 2>&1 ||
	die "npm is not installed; install Node.js/npm (e.g. 'apt-get install npm'), or download ONNX Runtime ${ORT_NODE_VERSION} yourself and set GOTRT_ORT_LIB to its libonnxruntime.so"
command -v tar >/dev/null 2>&1 || die "tar is not installed"

mkdir -p "${CACHE_ROOT}"
WORK="$(mktemp -d "${CACHE_ROOT}/.fetch-ort.XXXXXX")"
trap 'rm -rf "${WORK}"' EXIT

echo "fetch-ort.sh: fetching ${PKG} with npm pack (about 110 MB)..." >&2
(cd "${WORK}" && npm pack "${PKG}" --silent >"${WORK}/pack.out") ||
	die "'npm pack ${PKG}' failed (check network access and 'npm config get registry')"
TGZ="${WORK}/onnxruntime-node-${ORT_NODE_VERSION}.tgz"
[[ -f "${TGZ}" ]] || die "npm pack did not produce $(basename "${TGZ}") (it printed: $(cat "${WORK}/pack.out"))"

SRC_DIR="package/bin/napi-v6/linux/${ARCH}"
mkdir -p "${WORK}/x"
tar -xzf "${TGZ}" -C "${WORK}/x" "${SRC_DIR}" ||
	die "${PKG} has no ${SRC_DIR}/ (package layout changed?)"
[[ -f "${WORK}/x/${SRC_DIR}/${LIB}" ]] || die "${PKG} has no ${SRC_DIR}/${LIB}"

GOT_SHA256="$(sha256sum "${WORK}/x/${SRC_DIR}/${LIB}" | cut -d' ' -f1)"
[[ "${GOT_SHA256}" == "${WANT_SHA256}" ]] ||
	die "${SRC_DIR}/${LIB} has sha256 ${GOT_SHA256}, want ${WANT_SHA256}"

# Stage every shared library of the directory (the node binding itself is not
# needed), then move the directory into place in one step.
STAGE="${WORK}/stage"
mkdir -p "${STAGE}"
for f in "${WORK}/x/${SRC_DIR}"/*.so*; do
	cp -p "$f" "${STAGE}/"
done
ln -s "${LIB}" "${STAGE}/libonnxruntime.so"
echo "${PKG} (${SRC_DIR}, sha256 ${GOT_SHA256})" >"${STAGE}/SOURCE"

if [[ -e "${DEST}" ]]; then
	# A partial directory (library missing): replace it.
	rm -rf "${DEST}"
fi
mv "${STAGE}" "${DEST}" 2>/dev/null || {
	# Another run may have won the race.
	[[ -f "${DEST}/${LIB}" ]] || die "cannot create ${DEST}"
}
echo "${DEST}/${LIB}"
