#!/usr/bin/env bash
# Run novalite's tests: unit (py3), functional, pep8, and the API and
# functional servers tests on MariaDB and PostgreSQL (backends), through tox.
#
#   tools/run-tests.sh                 # tox -e py3,functional,pep8,backends
#   tools/run-tests.sh -e py3 -- test_hacking   # any tox arguments
#
# tox builds its virtualenvs itself (.tox/). The last line printed is the
# total over every stestr run: "N passed, N failed, N skipped". The exit
# status is tox's.
set -euo pipefail

cd "$(dirname "$0")/.."

# As root on a fresh machine, set up first what the tests need (Debian
# packages, RabbitMQ, PostgreSQL, MariaDB, virtlogd, libvirtd): the part of
# .ci/run before the tests. .ci/run itself calls this script after it.
if [ "$(id -u)" -eq 0 ] && [ -z "${NOVALITE_SETUP_DONE:-}" ]; then
    NOVALITE_CI_SERVICES_ONLY=1 bash .ci/run
fi

# tox 4, from PyPI if it is not there yet.
TOX=
if command -v tox >/dev/null 2>&1 && \
        tox --version 2>/dev/null | grep -q '^4\.'; then
    TOX=tox
elif python3 -m pip install --quiet --disable-pip-version-check \
        'tox>=4' >/dev/null 2>&1 && python3 -m tox --version >/dev/null 2>&1
then
    TOX="python3 -m tox"
else
    # A system Python that refuses global installs (PEP 668): own venv.
    python3 -m venv .tox/bootstrap
    .tox/bootstrap/bin/pip install --quiet --disable-pip-version-check \
        'tox>=4'
    TOX=.tox/bootstrap/bin/tox
fi

if [ "$#" -eq 0 ]; then
    set -- -e py3,functional,pep8,backends
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT

rc=0
$TOX "$@" 2>&1 | tee "$log" || rc=${PIPESTATUS[0]}

# Sum stestr's "Totals" blocks (one per stestr run):
#   - Passed: N / - Skipped: N / - Failed: N / - Unexpected Success: N
awk '
    /^Totals$/ { in_totals = 1; next }
    in_totals && /^ - Passed: /             { passed += $3 }
    in_totals && /^ - Skipped: /            { skipped += $3 }
    in_totals && /^ - Failed: /             { failed += $3 }
    in_totals && /^ - Unexpected Success: / { failed += $4 }
    in_totals && /^Sum of execute time/     { in_totals = 0 }
    END { printf "%d passed, %d failed, %d skipped\n",
                 passed, failed, skipped }
' "$log" > "$log.summary"
# The failed tests by name, each with its exception line, just above the
# summary: CI keeps only the head and tail of a long log.
awk '
    / \.\.\. FAILED$/ { print "FAILED: " $2; n = 0; infail = 1; next }
    /^\{[0-9]+\} / || /^=+$/ { infail = 0 }
    infail && n < 3 && /(Error|Exception|Failure)[^ ]*: / {
        sub(/^ +/, ""); print "    " substr($0, 1, 300); n++ }
' "$log" > "$log.failed"
echo
cat "$log.failed" "$log.summary"
rm -f "$log.failed"
rm -f "$log.summary"
exit "$rc"
