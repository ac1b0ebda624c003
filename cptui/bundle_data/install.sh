#!/bin/sh
# Install cptui from this folder: no network, no admin rights.
#
#   sh install.sh [FOLDER]      (default FOLDER: $HOME/cptui)
#
# Checks every file against SHA256SUMS first and refuses a bundle that was
# changed, then makes a private Python environment in FOLDER and installs
# cptui from the wheels here only. Nothing is written outside FOLDER except
# pip's usual per-user files.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
TARGET=${1:-"${HOME:?set HOME or give a folder}/cptui"}
case $TARGET in
    /*) ;;
    *) TARGET="$(pwd)/$TARGET" ;;  # relative to where you ran this, not to the bundle
esac

fail() {
    echo "cptui install: $*" >&2
    exit 1
}

# ---- 1. the bundle is exactly what was made (run from the bundle folder)
cd "$HERE"
[ -f SHA256SUMS ] || fail "SHA256SUMS is missing: refusing to install"
if command -v sha256sum >/dev/null 2>&1; then
    SUM="sha256sum"
elif command -v shasum >/dev/null 2>&1; then
    SUM="shasum -a 256"
else
    fail "no sha256sum or shasum here to check the bundle with: refusing to install"
fi
echo "Checking the bundle against SHA256SUMS ..."
if ! out=$($SUM -c SHA256SUMS 2>&1); then
    printf '%s\n' "$out" | grep -v ': OK$' >&2 || true
    fail "the files above do not match SHA256SUMS (changed or corrupted): refusing to install"
fi
for f in wheels/*; do
    [ -e "$f" ] || fail "no wheels in $HERE/wheels"
    awk -v f="$f" '{ sub(/^[0-9a-f]+ [ *]/, ""); if ($0 == f) found = 1 } END { exit !found }' \
        SHA256SUMS || fail "$f is not listed in SHA256SUMS: refusing to install"
done
echo "All files match. SHA256SUMS itself has digest:"
$SUM SHA256SUMS
echo "(compare that with the one your team lead gave you)"

# ---- 2. a Python 3.11 or newer
PY=""
for c in ${CPTUI_PYTHON:-} python3.13 python3.12 python3.11 python3 python; do
    command -v "$c" >/dev/null 2>&1 || continue
    if "$c" -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 11) else 1)' 2>/dev/null; then
        PY=$c
        break
    fi
done
[ -n "$PY" ] || fail "cptui needs Python 3.11 or newer, and none was found (set CPTUI_PYTHON to one)"
echo "Using $("$PY" -c 'import sys; print(sys.executable, sys.version.split()[0])')"

# ---- 3. a private environment in TARGET, from this folder only
for v in $(env | sed -n 's/^\(PIP_[A-Za-z0-9_]*\)=.*/\1/p'); do
    unset "$v"  # a machine's pip settings must not point pip anywhere but here
done
PIP_CONFIG_FILE=/dev/null PIP_NO_INPUT=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
export PIP_CONFIG_FILE PIP_NO_INPUT PIP_DISABLE_PIP_VERSION_CHECK PIP_NO_CACHE_DIR

mkdir -p "$TARGET"
VENV="$TARGET/venv"
if ! "$PY" -m venv "$VENV" >/dev/null 2>&1; then
    # Debian/Ubuntu without python3-venv: no ensurepip. Use the pip wheel shipped here.
    "$PY" -m venv --without-pip "$VENV" || fail "could not make a Python environment in $VENV"
fi
if ! "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
    set -- wheels/pip-*.whl
    [ -f "$1" ] || fail "this Python cannot make environments with pip, and the bundle has no pip wheel"
    "$VENV/bin/python" "$1/pip" install --no-index --find-links "$HERE/wheels" pip \
        || fail "could not install pip into $VENV"
fi
"$VENV/bin/python" -m pip install --no-index --find-links "$HERE/wheels" --upgrade cptui \
    || fail "pip could not install cptui from $HERE/wheels (see REPORT.txt for the platforms and Pythons this bundle covers)"

LAUNCHER="$TARGET/cptui"
printf '#!/bin/sh\nexec "%s" "$@"\n' "$VENV/bin/cptui" > "$LAUNCHER"
chmod +x "$LAUNCHER"

echo
echo "cptui is installed in $TARGET"
"$VENV/bin/cptui" --version
echo
echo "Start it (opens the demo cases):   \"$LAUNCHER\""
echo "Open your team's cases folder:     \"$LAUNCHER\" --cases /path/to/cases"
echo "Check the demo from this bundle:   \"$LAUNCHER\" check \"$HERE/demo\""
