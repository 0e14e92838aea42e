#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run PUMA's KUnit tests (tests/kunit/) on UML with the kernel's kunit.py.
#
# The first run extracts Debian's linux-source-6.1 into
# $PUMA_CACHE/kunit/linux-source-6.1 and builds a UML kernel in
# $PUMA_CACHE/kunit/build (a few minutes); later runs reuse both and only
# rebuild what changed.  tests/kunit/ is linked into that tree as
# drivers/puma_kunit, so the tests compile PUMA's sources from this checkout.
#
# Arguments go to "kunit.py run": its options, or a suite glob such as
# 'puma_key*' to run only some of the tests.
#
# The last line printed is always "kunit: N passed, M failed", counting test
# cases; the exit status is non-zero on a failed or crashed test, on a build
# error and when no test ran.  Compiler messages name tests/kunit/ as
# drivers/puma_kunit/.
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PUMA_CACHE=${PUMA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/puma}
CACHE=$PUMA_CACHE/kunit
KSRC=$CACHE/linux-source-6.1
BUILD=$CACHE/build
RESULTS=$CACHE/results.json
TARBALL=/usr/src/linux-source-6.1.tar.xz
JOBS=${PUMA_KUNIT_JOBS:-$(nproc)}
# Seconds the UML kernel may run the tests (the build is not counted).
TIMEOUT=${PUMA_KUNIT_TIMEOUT:-120}

# Test cases, for the last line, which is printed however the script ends.
PASSED=0
FAILED=0
trap 'echo "kunit: $PASSED passed, $FAILED failed"' EXIT

log() { echo "kunit: $*" >&2; }

# Extract the kernel source once.  The stamp names the tarball it came
# from: when Debian updates linux-source-6.1, extract and build afresh.
extract_source() {
	local id tmp

	id=$(stat -c '%s %Y' "$TARBALL")
	if [ "$(cat "$KSRC/.puma-source" 2>/dev/null)" = "$id" ]; then
		return 0
	fi
	log "extracting $TARBALL (once)"
	rm -rf "$KSRC" "$BUILD" "$CACHE"/src.*
	tmp=$(mktemp -d "$CACHE/src.XXXXXX")
	tar -xJf "$TARBALL" -C "$tmp"
	mv "$tmp/linux-source-6.1" "$KSRC"
	rmdir "$tmp"
	echo "$id" >"$KSRC/.puma-source"
}

# Append line $2 to file $1 unless it is there already.
add_line() {
	grep -qxF "$2" "$1" || printf '%s\n' "$2" >>"$1"
}

# Make tests/kunit/ part of the tree as drivers/puma_kunit.  It is a link to
# the directory, so "../../puma/x.c" in a test resolves to this checkout's
# puma/x.c and kbuild notices every change there.  When the link moves to
# another checkout, whose files may be older than the objects built from
# the last one, those objects are thrown away.
hook_tests() {
	local link=$KSRC/drivers/puma_kunit

	if [ "$(readlink "$link" 2>/dev/null)" != "$TOP/tests/kunit" ]; then
		ln -sfn "$TOP/tests/kunit" "$link"
		rm -rf "$BUILD/drivers/puma_kunit"
	fi
	add_line "$KSRC/drivers/Kconfig" 'source "drivers/puma_kunit/Kconfig"'
	add_line "$KSRC/drivers/Makefile" \
		'obj-$(CONFIG_PUMA_KUNIT_TEST) += puma_kunit/'
}

# Count test cases in kunit.py's JSON: a case is a direct child of a suite;
# a parameterised case (a group of its own) fails if any parameter failed;
# skipped cases count as neither.
#
# Only UBSAN fails the test it fires in by itself: KASAN (without its own
# KUnit suite), lockdep and WARN_ON just print.  So a case during which the
# kernel log shows any splat (WARNING, BUG, INFO, UBSAN, Oops, panic) fails
# here; splats outside the tests (UML's boot warning about virtio PCI) are
# ignored.  Prints "passed failed".
count_results() {
	python3 - "$RESULTS" "$BUILD/test.log" <<-'EOF'
	import json, re, sys

	SPLAT = re.compile(r'(WARNING|BUG|INFO|UBSAN):|Oops|Kernel panic|'
	                   r'kernel BUG at|general protection fault')
	TS = re.compile(r'^\[\s*\d+\.\d+\] ')
	SUITE = re.compile(r'^    # Subtest: (\S+)')
	CASE = re.compile(r'^    (?:not )?ok \d+ (?:- )?([^\s#]+)')
	END = re.compile(r'^(?:not )?ok \d+ ')

	# (suite, case) -> splat lines printed while the case ran
	splats = {}
	suite, pending = None, []
	try:
	    log = open(sys.argv[2], errors='replace').read().splitlines()
	except OSError:
	    log = []
	for line in log:
	    line = TS.sub('', line)
	    m = SUITE.match(line)
	    if m:
	        suite, pending = m.group(1), []
	        continue
	    m = CASE.match(line)
	    if m and suite:
	        if pending:
	            splats[(suite, m.group(1))] = pending
	        pending = []
	        continue
	    if END.match(line):
	        if suite and pending:
	            splats[(suite, None)] = pending
	        suite, pending = None, []
	        continue
	    if suite and SPLAT.match(line):
	        pending.append(line)

	def ok(status):
	    return status in ('PASS', 'SKIP')

	def params_ok(group):
	    return (all(ok(c['status']) for c in group['test_cases']) and
	            all(params_ok(g) for g in group['sub_groups']))

	passed = failed = 0
	with open(sys.argv[1]) as f:
	    top = json.load(f)
	for suite in top['sub_groups']:
	    cases = [(c['name'], c['status'] == 'PASS', c['status'] == 'SKIP')
	             for c in suite['test_cases']]
	    cases += [(g['name'], params_ok(g), False)
	              for g in suite['sub_groups']]
	    # A suite that crashed before reporting any case failed, and so
	    # did one whose init or exit left a splat after its last case.
	    if not cases:
	        failed += 1
	    if (suite['name'], None) in splats:
	        cases.append((None, False, False))
	    for name, good, skipped in cases:
	        lines = splats.get((suite['name'], name))
	        if lines:
	            print('kunit: %s.%s: kernel log:' %
	                  (suite['name'], name or '(suite exit)'),
	                  file=sys.stderr)
	            for l in lines[:10]:
	                print('    ' + l, file=sys.stderr)
	            print('    (the whole log: %s)' % sys.argv[2],
	                  file=sys.stderr)
	            good = skipped = False
	        if good:
	            passed += 1
	        elif not skipped:
	            failed += 1
	print(passed, failed)
	EOF
}

main() {
	local rc=0 counts

	bash "$TOP/scripts/deps.sh"
	mkdir -p "$CACHE"

	# One run at a time per cache: they share the tree and the build.
	exec 9>"$CACHE/lock"
	if ! flock -n 9; then
		log "waiting for another run to finish"
		flock 9
	fi

	extract_source
	hook_tests
	rm -f "$RESULTS"

	# kasan_multi_shot: report every KASAN error, not only the first.
	cd "$KSRC"
	python3 tools/testing/kunit/kunit.py run \
		--kunitconfig="$TOP/tests/kunit" \
		--build_dir="$BUILD" \
		--jobs="$JOBS" \
		--timeout="$TIMEOUT" \
		--json="$RESULTS" \
		--kernel_args=kasan_multi_shot \
		"$@" || rc=$?

	if [ ! -s "$RESULTS" ]; then
		log "no results: the configuration, build or boot failed"
	elif ! counts=$(count_results); then
		log "could not read $RESULTS"
	else
		read -r PASSED FAILED <<<"$counts"
		[ $((PASSED + FAILED)) -gt 0 ] || log "no test ran"
	fi
	if [ "$FAILED" -ne 0 ] || [ "$PASSED" -eq 0 ]; then
		[ "$rc" -ne 0 ] || rc=1
	fi
	return "$rc"
}

main "$@"
