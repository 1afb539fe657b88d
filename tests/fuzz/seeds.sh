#!/bin/sh
# seeds.sh SRCDIR OUTDIR: fills OUTDIR/change and OUTDIR/policy with seed
# inputs for the harnesses, made from the repository's own files (the
# templates, the example repository, the policies under tests/policies),
# so that fuzzing starts from what real files look like.  The corpora are
# scratch: make fuzz makes them afresh and they are never committed.
set -eu
src=$1
out=$2
sep='#%%'
rm -rf "$out"
mkdir -p "$out/change" "$out/policy"

n=0
for f in "$src"/templates/standard.yaml "$src"/templates/normal.yaml \
	 "$src"/templates/emergency.yaml \
	 $(find "$src/examples" "$src/tests/policies" -name '*.yaml' \
		! -name policy.yaml ! -path '*/catalog/*' | sort)
do
	n=$((n + 1))
	cp "$f" "$out/change/seed-$n"
done
# two change requests in one input: the set's checks (ids, dependencies)
for a in "$out"/change/seed-1 "$out"/change/seed-2; do
	n=$((n + 1))
	{ cat "$a"; printf '\n%s\n' "$sep"; cat "$out/change/seed-3"; } \
		>"$out/change/seed-$n"
done

n=0
for p in "$src"/templates/policy.yaml \
	 $(find "$src/tests/policies" "$src/examples" -name policy.yaml | sort)
do
	dir=$(dirname "$p")
	catalog=$(find "$dir" "$src/examples" -path '*/catalog/*.yaml' | sort | head -n 1)
	for cr in $(find "$dir" -name '*.yaml' ! -name policy.yaml \
			! -path '*/catalog/*' | sort | head -n 4) \
		  "$src/templates/normal.yaml"
	do
		n=$((n + 1))
		{
			cat "$p"
			printf '\n%s\n' "$sep"
			cat "$cr"
			if test -n "$catalog"; then
				printf '\n%s\n' "$sep"
				cat "$catalog"
			fi
		} >"$out/policy/seed-$n"
	done
done
