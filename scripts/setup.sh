#!/usr/bin/env bash
# Installs everything wsnova needs and builds it. Idempotent: a second run only rebuilds
# what changed.
#   1. Debian packages (only the missing ones; `apt-get update` at most once), as root
#      (or through sudo when not root).
#   2. The Node.js test peer's dependency `ws` (tests/interop/node_modules).
#   3. Configures build/ (Ninja, RelWithDebInfo) and builds it with -j2.
# Options:
#   --docs       accepted for compatibility (doxygen is always installed now)
#   --no-build   stop after installing dependencies
# Environment: WSNOVA_BUILD_DIR (default build), WSNOVA_JOBS (default 2),
#              WSNOVA_CMAKE_ARGS (extra configure arguments).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

with_docs=0
build=1
for arg in "$@"; do
  case "$arg" in
    --docs) with_docs=1 ;;
    --no-build) build=0 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) die "unknown option: $arg" ;;
  esac
done

# Do NOT add libboost-all-dev: it pulls Boost 1.74 next to 1.81.
APT_PACKAGES=(
  libcaf-dev
  libboost1.81-dev libboost-url1.81-dev libboost-json1.81-dev libboost-test1.81-dev
  libboost-program-options1.81-dev
  libssl-dev openssl
  python3 python3-websockets python3-prometheus-client
  nodejs npm
  cmake ninja-build g++ pkg-config ccache
  # Quality gates (CTest label `quality`, docs/quality.md). Debian 12 ships LLVM 14 for
  # both; with cppcheck and doxygen about 60 MB to download on a machine without LLVM.
  clang-format clang-tidy cppcheck doxygen
  # The observer page's browser test (CTest label `observer`): headless Chromium driven
  # through Selenium, all three from Debian (about 85 MB to download).
  chromium chromium-driver python3-selenium
)

is_installed() {
  [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" == installed ]]
}

install_packages() {
  local missing=() pkg
  for pkg in "${APT_PACKAGES[@]}"; do
    # NodeSource's nodejs ships its own npm; Debian's npm package would clash with it.
    if [[ "$pkg" == npm ]] && command -v npm >/dev/null 2>&1; then continue; fi
    is_installed "$pkg" || missing+=("$pkg")
  done
  if (( ${#missing[@]} == 0 )); then
    log "apt packages: all present"
    return 0
  fi
  local sudo=()
  if (( EUID != 0 )); then
    command -v sudo >/dev/null 2>&1 || die "missing packages (${missing[*]}); run as root"
    sudo=(sudo)
  fi
  log "apt packages: installing ${missing[*]}"
  "${sudo[@]}" apt-get update
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}"
}

install_node_modules() {
  local dir=tests/interop
  # `npm ls` checks the installed tree against package.json offline; non-zero when
  # something is missing, extraneous-but-required or the wrong version.
  if [[ -f "$dir/node_modules/ws/package.json" ]] \
     && npm ls --prefix "$dir" --depth=0 >/dev/null 2>&1; then
    log "npm: tests/interop/node_modules complete"
    return 0
  fi
  npm install --prefix "$dir" --no-audit --no-fund
}

configure_and_build() {
  local cache="$WSNOVA_BUILD_DIR/CMakeCache.txt"
  local args=(-S . -B "$WSNOVA_BUILD_DIR")
  if [[ ! -f "$cache" ]]; then
    args+=(-G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo)
  fi
  # Always re-run the configure step (a few seconds): tests/ and examples/ collect their
  # subfolders with file(GLOB), so a new folder appears only after a configure.
  # shellcheck disable=SC2086
  phase configure cmake "${args[@]}" ${WSNOVA_CMAKE_ARGS:-}
  phase build cmake --build "$WSNOVA_BUILD_DIR" -j "$WSNOVA_JOBS"
}

phase "apt packages" install_packages
phase "npm install" install_node_modules
if (( build )); then configure_and_build; fi
