#!/usr/bin/env bash
# Installs Tessera's system dependencies on Debian/Ubuntu. Idempotent: does nothing when all are present.
# Used by `make deps` (and so by `make demo`, `make test`, `make bench`).
set -euo pipefail

packages=(libicu-dev libutf8proc-dev zlib1g-dev libopenblas-dev pkg-config)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

sudo_cmd=()
need_root() {  # $1: what needs root, $2: the command to run by hand
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo_cmd=(sudo); else
      echo "install-deps: need root to install $1 (run as root: $2)" >&2; exit 1
    fi
  fi
}

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}" >&2
  need_root "${missing[*]}" "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# HiGHS (the LP solver of `tessera mixture`, loaded with dlopen at run time; the package builds without
# it). Debian has no HiGHS package, so libhighs.so.1 comes from the pinned highspy wheel on PyPI: the
# library is self-contained (libz, libstdc++, libc) and exports the C API. The wheel is pinned by file
# name and sha256; pip is used when present, else curl and PyPI's simple JSON API (PEP 691).
highs_version=1.15.1
highs_dir=/usr/local/lib
install_highs() {
  case "$(uname -m)" in
    x86_64)
      highs_wheel=highspy-$highs_version-cp311-cp311-manylinux_2_24_x86_64.manylinux_2_28_x86_64.whl
      highs_sha=a24329c328942b37a6a318ecf163d07dd387974f071b98b4498725eaea80f06f ;;
    aarch64)
      highs_wheel=highspy-$highs_version-cp311-cp311-manylinux_2_24_aarch64.manylinux_2_28_aarch64.whl
      highs_sha=070c1ce9238b9e8b4c273253647ab0dbafc1839c195a52c7ef1eeb7ef6976f05 ;;
    *) echo "install-deps: no pinned HiGHS wheel for $(uname -m); install libhighs.so.1 yourself and set TESSERA_HIGHS_LIBRARY" >&2; exit 1 ;;
  esac
  echo "install-deps: installing libhighs.so.1 (HiGHS $highs_version, from $highs_wheel)" >&2
  need_root "libhighs.so.1 into $highs_dir" "make deps"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  if python3 -m pip --version >/dev/null 2>&1; then
    # The flags make pip fetch exactly the pinned file whatever the local Python is.
    python3 -m pip download --quiet --no-deps --only-binary=:all: --implementation cp --python-version 3.11 \
      --abi cp311 --platform "manylinux_2_28_$(uname -m)" \
      -d "$tmp" "highspy==$highs_version" >&2 || true
  fi
  if [ ! -f "$tmp/$highs_wheel" ]; then
    url=$(curl -fsSL -H 'Accept: application/vnd.pypi.simple.v1+json' https://pypi.org/simple/highspy/ |
      python3 -c 'import json, sys
name = sys.argv[1]
print(next(f["url"] for f in json.load(sys.stdin)["files"] if f["filename"] == name))' "$highs_wheel")
    curl -fsSL -o "$tmp/$highs_wheel" "$url"
  fi
  echo "$highs_sha  $tmp/$highs_wheel" | sha256sum -c --quiet - ||
    { echo "install-deps: $highs_wheel does not match its pinned sha256" >&2; exit 1; }
  (cd "$tmp" && python3 -m zipfile -e "$highs_wheel" wheel)
  "${sudo_cmd[@]}" install -m 0644 "$tmp/wheel/highspy/libhighs.so.1" "$highs_dir/libhighs.so.1" || exit 1
  "${sudo_cmd[@]}" ln -sf libhighs.so.1 "$highs_dir/libhighs.so"
  if command -v ldconfig >/dev/null 2>&1; then "${sudo_cmd[@]}" ldconfig; fi
}

if [ ! -e "$highs_dir/libhighs.so.1" ]; then
  # In a subshell, so that its `exit`s end only this step: without HiGHS everything builds and passes except
  # the LP tests, which skip naming `make deps` (and `tessera mixture` says how to install it).
  if ! (set -euo pipefail; install_highs); then
    echo "install-deps: WARNING: libhighs.so.1 could not be installed (no network or no root?); 'tessera mixture'" \
      "needs it: rerun 'make deps' or set TESSERA_HIGHS_LIBRARY" >&2
  fi
fi
