#!/usr/bin/env bash
# The command line's side of bad input: each refusal exits with code 3, prints one line
# "graphssl: FILE:LINE: expected ..., found ..." on stderr, and leaves no output file behind.
# Good input read from standard input or generated features work end to end.
#
# usage: cli_inputs.sh GRAPHSSL
set -u

graphssl=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
dir=$(mktemp -d "${TMPDIR:-/tmp}/graphssl_cli_XXXXXX")
trap 'rm -rf "$dir"' EXIT
cd "$dir" || exit 1
failures=0

fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# refuses NAME WANT_MESSAGE ARGS...: exit code 3, exactly one stderr line that is the
# message, no out.csv.
refuses() {
    local name=$1 want=$2
    shift 2
    rm -f out.csv
    "$graphssl" "$@" >stdout.txt 2>stderr.txt
    local rc=$?
    local got
    got=$(grep -v '^using \|^loaded \|: read as a header line' stderr.txt)
    [ "$rc" -eq 3 ] || fail "$name: exit code $rc, want 3"
    [ "$got" = "graphssl: $want" ] || fail "$name: stderr '$got', want 'graphssl: $want'"
    [ ! -e out.csv ] || fail "$name: out.csv was created"
    [ ! -s stdout.txt ] || fail "$name: printed on stdout: $(head -c 200 stdout.txt)"
}

printf '0 1\n1 2 0.5\n' > three.edgelist
refuses three_columns "three.edgelist:2: expected 2 columns (u v), found 3; pass --weighted to read weights" \
    dgi three.edgelist -o out.csv --quiet

: > empty.edgelist
refuses empty "empty.edgelist:1: expected at least one edge 'u v', found the end of the file" \
    dgi empty.edgelist -o out.csv --quiet

printf 'a a\n' > one.edgelist
refuses one_node "one.edgelist:1: expected a graph of at least 2 nodes, found 1 ('a')" \
    vgae one.edgelist -o out.csv --quiet

printf '0 1\n\0\0\0' > binary.edgelist
refuses binary "binary.edgelist:2: expected text, found a NUL byte (is this a binary file?)" \
    info binary.edgelist

printf '0 1\n1 2\n' > g.edgelist
printf '0 1:1\n1 2:nan\n' > g.features
refuses nan "g.features:2: expected a finite value, found '2:nan'" dgi g.edgelist -o out.csv
rm g.features

printf '0 a\n7 b\n' > g.labels
refuses strict "g.labels:2: expected a node of the graph or the features, found '7' (--strict)" \
    dgi g.edgelist -o out.csv --strict
rm g.labels

refuses bad_kind "--features 'eigen': expected a file or one of identity, degree[:K], constant, lap-eig[:K], random[:K], found neither" \
    info g.edgelist --features eigen

printf 'graph [\n node [ id 1 ]\n' > broken.gml
refuses gml "broken.gml:3: expected valid GML, found: Parse error in GML file, line 3 (syntax error, unexpected end of file, expecting keyword or ])" \
    info broken.gml

# Standard input, gzip by magic bytes, one JSON line, a generated-features note.
printf 'x y\ny z\n' | gzip | "$graphssl" info - --json >stdout.txt 2>stderr.txt \
    || fail "stdin: exit code $?"
[ "$(wc -l < stdout.txt)" -eq 1 ] || fail "stdin: $(wc -l < stdout.txt) lines of JSON"
grep -q '"nodes":3,"edges":2,' stdout.txt || fail "stdin: $(cat stdout.txt)"

"$graphssl" info g.edgelist --features degree >stdout.txt 2>stderr.txt || fail "degree: $?"
grep -q '^features: generated degree, 3 x 3$' stderr.txt || fail "degree note: $(cat stderr.txt)"
grep -q '^features    3, sparse' stdout.txt || fail "degree: $(cat stdout.txt)"

if [ "$failures" -ne 0 ]; then
    echo "$failures failures"
    exit 1
fi
echo "all CLI input checks passed"
