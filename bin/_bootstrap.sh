# Sourced by bin/run and bin/test: find Python 3.12+, make .venv, install what a
# requirements file lists (again only when that file changed).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

find_python() {
    local candidate
    for candidate in "${PYTHON:-}" python3.12 python3.13 python3.14 python3 \
        $(ls -d "$HOME"/.pyenv/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -V); do
        [ -n "$candidate" ] || continue
        if "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

bootstrap() {
    local requirements="$1"
    if [ ! -x .venv/bin/python ]; then
        local python
        if ! python="$(find_python)"; then
            echo "TA Tracker needs Python 3.12 or newer (Django 6)." >&2
            echo "Install it, or point PYTHON at it: PYTHON=/path/to/python3.12 $0" >&2
            exit 1
        fi
        echo "Creating .venv with $("$python" --version)…"
        "$python" -m venv .venv
    fi
    local stamp=".venv/.installed-$(cat requirements*.txt | sha256sum | cut -c1-16)-$(basename "$requirements")"
    if [ ! -f "$stamp" ]; then
        echo "Installing $requirements…"
        .venv/bin/python -m pip install --quiet --upgrade pip
        .venv/bin/python -m pip install --quiet -r "$requirements"
        touch "$stamp"
    fi
    export PATH="$ROOT/.venv/bin:$PATH"
}
