#!/usr/bin/env bash
# The command line's side of bad input: each refusal exits with code 3, prints one line
# "graphssl: FILE:LINE: expected ..., found ..." on stderr, and leaves no output file behind.
# Good input read from standard input or generated features work end to end.
#
# Bad output paths (-o, --save-split and the like) are refused with code 2 before anything
# is loaded, and nothing in the directory is created or replaced; gs_embeddings_save_csv
# itself refuses a target that is not a regular file (checked through the dgi_embed
# example).  The program also runs under valgrind, which its OpenMP restart must not break.
#
# usage: cli_inputs.sh GRAPHSSL DGI_EMBED
set -u

graphssl=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
dgi_embed=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
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

# --- Output paths ------------------------------------------------------------------------

fast=(--max-epochs 2 --threads 1)

# Every file below the current directory with its type, inode, size, time and link target:
# a file created, replaced (new inode) or written shows up as a difference.  A directory's
# time is left out: checking that a file can be created there creates and removes one.
snapshot() {
    find . -type d -printf '%y %i %p\n' | sort
    find . ! -type d ! -name stdout.txt ! -name stderr.txt -printf '%y %i %s %T@ %p %l\n' | sort
}

# refuses_output NAME WANT_MESSAGE ARGS...: exit code 2, exactly one stderr line that is the
# message (so nothing was loaded: loading prints "using ..." lines), nothing on stdout, and
# no file created or changed.
refuses_output() {
    local name=$1 want=$2
    shift 2
    local before after rc
    before=$(snapshot)
    "$graphssl" "$@" >stdout.txt 2>stderr.txt
    rc=$?
    after=$(snapshot)
    [ "$rc" -eq 2 ] || fail "$name: exit code $rc, want 2"
    [ "$(cat stderr.txt)" = "graphssl: $want" ] \
        || fail "$name: stderr '$(cat stderr.txt)', want 'graphssl: $want'"
    [ ! -s stdout.txt ] || fail "$name: printed on stdout: $(head -c 200 stdout.txt)"
    [ "$before" = "$after" ] || fail "$name: files changed: $(diff <(echo "$before") \
        <(echo "$after") | tr '\n' ' ')"
}

printf '0 1\n1 2\n2 3\n3 0\n0 2\n' > g.edgelist
printf '0 a\n1 b\n2 a\n3 b\n' > g.labels
mkfifo out.fifo
echo keep > target.csv
ln -s target.csv link.csv
ln -s missing.csv dangling.csv
mkdir outdir

refuses_output fifo "-o out.fifo: is a FIFO, not a regular file; refusing to replace it" \
    dgi g.edgelist -o out.fifo "${fast[@]}"
refuses_output symlink "-o link.csv: is a symbolic link, not a regular file; refusing to replace it" \
    dgi g.edgelist -o link.csv "${fast[@]}"
refuses_output dangling "-o dangling.csv: is a symbolic link, not a regular file; refusing to replace it" \
    deepwalk g.edgelist -o dangling.csv --walk-length 5 --walks-per-node 1
refuses_output directory "-o outdir: is a directory, not a regular file; refusing to replace it" \
    dgi g.edgelist -o outdir "${fast[@]}"
refuses_output empty_name "-o expects a file name, found an empty string" \
    dgi g.edgelist -o "" "${fast[@]}"
refuses_output stdout "-o -: standard output is not supported (it carries the scores); name a file, or ./- for a file called '-'" \
    dgi g.edgelist -o - "${fast[@]}"
refuses_output no_parent "-o nosuch/out.csv: cannot create a file in 'nosuch': No such file or directory" \
    dgi g.edgelist -o nosuch/out.csv "${fast[@]}"
refuses_output under_file "-o g.edgelist/out.csv: Not a directory" \
    vgae g.edgelist -o g.edgelist/out.csv --epochs 2
if [ -d /proc/self ]; then
    # Root may write into any directory by its permissions, yet no file can be made here.
    "$graphssl" dgi g.edgelist -o /proc/out.csv "${fast[@]}" >stdout.txt 2>stderr.txt
    rc=$?
    [ "$rc" -eq 2 ] || fail "proc: exit code $rc, want 2"
    grep -qx "graphssl: -o /proc/out.csv: cannot create a file in '/proc': .*" stderr.txt \
        || fail "proc: stderr '$(cat stderr.txt)'"
fi
if [ "$(id -u)" -ne 0 ]; then
    mkdir readonly && chmod 555 readonly
    refuses_output read_only "-o readonly/out.csv: cannot create a file in 'readonly': Permission denied" \
        dgi g.edgelist -o readonly/out.csv "${fast[@]}"
    chmod 755 readonly
fi

# No input of the run may be the output: the graph, its companions found beside it (compared
# as files, so another name or a hard link counts), files given by options.
ln g.labels hard.labels
printf '0 train\n1 test\n' > other.split
printf '0 1\n' > test.edges
printf '0 3\n' > test.neg
printf 'node,d0\n0,1\n' > init.csv
refuses_output graph "-o g.edgelist: would overwrite g.edgelist, an input of this run" \
    dgi g.edgelist -o g.edgelist "${fast[@]}"
refuses_output companion "-o g.labels: would overwrite g.labels, an input of this run" \
    dgi g.edgelist -o g.labels "${fast[@]}"
refuses_output other_name "-o ./g.labels: would overwrite g.labels, an input of this run" \
    dgi g.edgelist -o ./g.labels "${fast[@]}"
refuses_output hard_link "-o hard.labels: would overwrite g.labels, an input of this run" \
    dgi g.edgelist -o hard.labels "${fast[@]}"
refuses_output split_option "-o other.split: would overwrite other.split, an input of this run" \
    dgi g.edgelist --split other.split -o other.split "${fast[@]}"
refuses_output test_edges "-o test.neg: would overwrite test.neg, an input of this run" \
    deepwalk g.edgelist --test-edges test.edges --test-negatives test.neg -o test.neg
refuses_output val_edges "-o test.edges: would overwrite test.edges, an input of this run" \
    gae g.edgelist --val-edges test.edges -o test.edges --epochs 2
refuses_output init "-o init.csv: would overwrite init.csv, an input of this run" \
    graphgan g.edgelist --init init.csv -o init.csv --epochs 1
refuses_output output_dis "--output-dis ./gen.csv: is also where the generator's embeddings go (gen.csv); name another file" \
    graphgan g.edgelist -o gen.csv --output-dis ./gen.csv --epochs 1
refuses_output dis_fifo "--output-dis out.fifo: is a FIFO, not a regular file; refusing to replace it" \
    graphgan g.edgelist --output-dis out.fifo --epochs 1
refuses_output gcc_model "-o test.edges: would overwrite test.edges, an input of this run" \
    gcc pretrain g.edgelist test.edges -o test.edges --steps 2
mkdir gcc.model
refuses_output gcc_default "gcc.model: is a directory, not a regular file; refusing to replace it" \
    gcc pretrain g.edgelist --steps 2
rmdir gcc.model

# A graph read through '-' from a redirected file is that file.
refuses_output stdin_file "-o g.edgelist: would overwrite the file on standard input, an input of this run" \
    dgi - -o g.edgelist "${fast[@]}" < g.edgelist

# The ids file beside NumPy features names their rows: an input, as the features are.
mkdir npy
printf '0 1\n1 2\n2 3\n3 0\n' > npy/g.edgelist
printf '0\n1\n2\n3\n' > npy/feat.ids
{
    printf '\x93NUMPY\x01\x00\x76\x00%-117s\n' "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }"
    printf '\x00\x00\x80\x3f%.0s' 1 2 3 4
} > npy/feat.npy
"$graphssl" info npy/g.edgelist --features npy/feat.npy >stdout.txt 2>stderr.txt \
    || fail "npy: exit code $?: $(cat stderr.txt)"
grep -qx 'npy/feat.npy: rows named by npy/feat.ids' stderr.txt || fail "npy: $(cat stderr.txt)"
refuses_output npy_ids "-o npy/feat.ids: would overwrite npy/feat.ids, an input of this run" \
    dgi npy/g.edgelist --features npy/feat.npy -o npy/feat.ids "${fast[@]}"

# The files of a TU collection's folder that its loader reads (TU_*) are inputs, whatever
# name reaches them; other files there are ordinary outputs.
mkdir TU
printf '1, 2\n2, 3\n4, 5\n5, 6\n' > TU/TU_A.txt
printf '1\n1\n1\n2\n2\n2\n' > TU/TU_graph_indicator.txt
printf '1\n-1\n' > TU/TU_graph_labels.txt
"$graphssl" gcc pretrain TU --steps 2 --threads 1 -o tu.model --quiet >stdout.txt \
    2>stderr.txt || fail "tu model: exit code $?: $(cat stderr.txt)"
refuses_output tu_pretrain "-o TU/TU_A.txt: would overwrite a file of TU, an input folder of this run" \
    gcc pretrain TU --steps 2 -o TU/TU_A.txt
refuses_output tu_second "-o TU/TU_graph_labels.txt: would overwrite a file of ./TU/, an input folder of this run" \
    gcc pretrain g.edgelist ./TU/ --steps 2 -o TU/TU_graph_labels.txt
refuses_output tu_both "-o TU/TU_graph_indicator.txt: would overwrite a file of TU, an input folder of this run" \
    gcc TU --steps 2 -o TU/TU_graph_indicator.txt
refuses_output tu_graphs "-o TU/TU_A.txt: would overwrite a file of TU/, an input folder of this run" \
    gcc embed tu.model --graphs TU/ -o TU/TU_A.txt
refuses_output tu_embed "-o ./TU/TU_graph_labels.txt: would overwrite a file of TU, an input folder of this run" \
    gcc embed tu.model TU -o ./TU/TU_graph_labels.txt
printf 'old\n' > TU/emb.csv
"$graphssl" gcc embed tu.model TU -o TU/emb.csv --no-eval --quiet >stdout.txt 2>stderr.txt \
    || fail "tu other file: exit code $?: $(cat stderr.txt)"
grep -q '^node,d0,' TU/emb.csv || fail "tu other file: not replaced: $(head -c 100 TU/emb.csv)"
rm TU/emb.csv

# --save-split replaces five files in its folder: each is checked as -o is.
printf '0 1\n1 2\n2 3\n3 4\n4 5\n5 6\n6 7\n7 8\n8 9\n9 0\n0 5\n2 7\n' > ring.edgelist
mkdir sp_input sp_emb sp_kinds
cp ring.edgelist sp_input/train.edges
refuses_output split_graph "--save-split sp_input/train.edges: would overwrite sp_input/train.edges, an input of this run" \
    vgae sp_input/train.edges --format edgelist --epochs 3 --save-split sp_input -o v.csv
refuses_output split_given "--save-split ./test.edges: would overwrite test.edges, an input of this run" \
    gae ring.edgelist --test-edges test.edges --save-split . -o v.csv --epochs 3
refuses_output split_embeddings "--save-split sp_emb/val.edges: is also where the embeddings go (./sp_emb/val.edges); name another folder" \
    vgae ring.edgelist --epochs 3 --save-split sp_emb -o ./sp_emb/val.edges
mkfifo sp_kinds/val.negatives
refuses_output split_fifo "--save-split sp_kinds/val.negatives: is a FIFO, not a regular file; refusing to replace it" \
    vgae ring.edgelist --epochs 3 --save-split sp_kinds -o v.csv
rm sp_kinds/val.negatives && ln -s ../target.csv sp_kinds/test.edges
refuses_output split_symlink "--save-split sp_kinds/test.edges: is a symbolic link, not a regular file; refusing to replace it" \
    vgae ring.edgelist --epochs 3 --save-split sp_kinds -o v.csv
refuses_output split_file "--save-split ring.edgelist: is a regular file, not a folder" \
    vgae ring.edgelist --epochs 3 --save-split ring.edgelist -o v.csv
refuses_output split_no_parent "--save-split nosuch/sp: cannot create the folder: No such file or directory" \
    vgae ring.edgelist --epochs 3 --save-split nosuch/sp -o v.csv
refuses_output split_empty "--save-split expects a folder name, found an empty string" \
    vgae ring.edgelist --epochs 3 --save-split "" -o v.csv
refuses_output split_no_eval "--save-split: --no-eval holds no edges out, so there is no split to save; drop one of them" \
    gae ring.edgelist --epochs 3 --save-split sp_new --no-eval -o v.csv
printf '0 5\n' > given_test.edges
refuses_output split_files_no_eval "--no-eval holds no edges out, so the given test and validation files would be ignored; drop one or the other" \
    vgae ring.edgelist --epochs 3 --test-edges given_test.edges --no-eval -o v.csv

# The folder is made when missing; on a second run its files are replaced through temporary
# files of their own, never through one planted under a predictable name.
split_files="test.edges test.negatives train.edges val.edges val.negatives"
"$graphssl" vgae ring.edgelist --epochs 3 --threads 1 --save-split sp_new -o v.csv --quiet \
    >stdout.txt 2>stderr.txt || fail "split new: exit code $?: $(cat stderr.txt)"
[ "$(LC_ALL=C ls sp_new | xargs)" = "$split_files" ] || fail "split new: $(ls sp_new | xargs)"
echo keep > victim.txt
ln -s ../victim.txt sp_new/test.edges.tmp
"$graphssl" vgae ring.edgelist --epochs 3 --threads 1 --save-split sp_new -o v.csv --quiet \
    >stdout.txt 2>stderr.txt || fail "split planted: exit code $?: $(cat stderr.txt)"
[ "$(cat victim.txt)" = keep ] || fail "split planted: wrote into victim.txt through a link"
[ -L sp_new/test.edges.tmp ] || fail "split planted: test.edges.tmp is no longer a link"
[ "$(LC_ALL=C ls sp_new | grep -vx test.edges.tmp | xargs)" = "$split_files" ] \
    || fail "split planted: $(ls sp_new | xargs)"

# A name that fits the file system but whose temporary file does not.
name_max=$(getconf NAME_MAX . 2>/dev/null || echo 0)
if [ "$name_max" -ge 16 ] && [ "$name_max" -le 4096 ]; then
    long=$(printf 'n%.0s' $(seq $((name_max - 3))))
    refuses_output long_name "-o $long: the name is too long: the temporary file beside it, $long.XXXXXX, exceeds the file system's limit" \
        dgi g.edgelist -o "$long" "${fast[@]}"
fi

# A regular file is replaced, and the check leaves no file of its own behind.
"$graphssl" dgi g.edgelist -o target.csv "${fast[@]}" --quiet >stdout.txt 2>stderr.txt \
    || fail "replace: exit code $?: $(cat stderr.txt)"
[ "$(head -c 10 target.csv)" = "node,d0,d1" ] || fail "replace: target.csv not rewritten"
[ -z "$(find . -name 'target.csv.*')" ] || fail "replace: left $(find . -name 'target.csv.*')"
[ -L link.csv ] || fail "replace: link.csv is no longer a symbolic link"

# The library refuses too: gs_embeddings_save_csv called by the dgi_embed example, after
# training, must leave the FIFO, the symbolic link and the directory as they were.
printf '0 1\n1 2\n2 0\n' > lib.edgelist
for target in out.fifo link.csv outdir; do
    before=$(snapshot)
    "$dgi_embed" lib.edgelist "$target" 2 >stdout.txt 2>stderr.txt
    rc=$?
    after=$(snapshot)
    [ "$rc" -eq 1 ] || fail "library $target: exit code $rc, want 1"
    grep -q ": $target: is .*, not a regular file; refusing to replace it$" stderr.txt \
        || fail "library $target: stderr '$(cat stderr.txt)'"
    [ "$before" = "$after" ] || fail "library $target: files changed"
done

# Standard input has no file name: the default output is stdin.METHOD.csv.
mkdir from_stdin
(cd from_stdin && printf '0 1\n1 2\n2 0\n' \
    | "$graphssl" dgi - "${fast[@]}" --quiet >/dev/null 2>../stderr.txt) \
    || fail "stdin name: exit code $?: $(cat stderr.txt)"
[ "$(ls from_stdin)" = "stdin.dgi.csv" ] || fail "stdin name: wrote '$(ls from_stdin)'"

# A file or folder named like a built-in graph shadows it, and the message says so.
mkdir -p shadow/karate
cd shadow || exit 1
refuses shadow_folder "karate: cannot tell the graph format from the file name; pass --format with one of edgelist, graphml, gml, pajek, ncol, lgl, linqs (the built-in graph 'karate' was not used: a folder of that name exists here and takes precedence; rename it or run elsewhere)" \
    dgi karate -o out.csv "${fast[@]}"
rmdir karate && echo "0 1 2 3" > karate
refuses shadow_file "karate: cannot tell the graph format from the file name; pass --format with one of edgelist, graphml, gml, pajek, ncol, lgl, linqs (the built-in graph 'karate' was not used: a file of that name exists here and takes precedence; rename it or run elsewhere)" \
    info karate
cd .. || exit 1

# Under valgrind /proc/self/exe is valgrind's tool: the OpenMP restart must not run it.
# (A sanitizer build cannot run under valgrind at all.)
if ldd "$graphssl" | grep -q 'lib[at]san'; then
    echo "sanitizer build: skipping the valgrind run"
elif command -v valgrind >/dev/null; then
    valgrind -q "$graphssl" info karate >stdout.txt 2>stderr.txt \
        || fail "valgrind: exit code $?: $(head -c 300 stderr.txt)"
    grep -q '^nodes       34 ' stdout.txt || fail "valgrind: stdout '$(head -c 300 stdout.txt)'"
else
    echo "valgrind not installed: skipping the valgrind run"
fi

if [ "$failures" -ne 0 ]; then
    echo "$failures failures"
    exit 1
fi
echo "all CLI input checks passed"
