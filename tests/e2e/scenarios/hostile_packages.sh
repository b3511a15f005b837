#!/usr/bin/env bash
# The hostile corpus (tests/tools/make_hostile_corpus.cpp) through every command:
# nothing written outside the targets, no cache entry for a refused package.
# Run alone: ctest -R e2e_user_hostile_packages (and e2e_root_hostile_packages, as root).
source "$1/lib.sh"
echo "== the hostile corpus, through every command"
mkdir corpus
"$work/make_hostile_corpus" "$work/corpus"
mkdir -p outside
touch outside/keep
outside_before=$(ls -A outside; ls /tmp | grep appv-hostile)
cache=$HOME/.cache/appv
while read -r file info_want other_want; do
  pkg=corpus/$file
  name=${file%.appv}
  status "hostile $name: info" "$info_want" "$A" info "$pkg"
  status "hostile $name: ls" "$other_want" "$A" ls "$pkg"
  status "hostile $name: verify" "$other_want" "$A" verify "$pkg"
  status "hostile $name: extract" "$other_want" "$A" extract "$pkg" "outside/x-$name"
  if [[ $other_want -ne 0 ]]; then
    check "hostile $name: no extraction left" test ! -e "outside/x-$name"
    status "hostile $name: run" "$other_want" "$A" run "$pkg"
  fi
  check "hostile $name: no temporary directory in the cache" bash -c "! ls -a '$cache' 2>/dev/null | grep -q '^\.tmp-'"
done < corpus/cases
# Only the one accepted package (100 000 empty files) may have produced a tree.
same "nothing was written outside the targets" "$outside_before" "$(ls -A outside | grep -vx 'x-100000-empty-files'; ls /tmp | grep appv-hostile)"
check "the accepted many-files package extracted completely" test "$(ls outside/x-100000-empty-files/root/many | wc -l)" -eq 100000
digests=$(for f in corpus/*.appv; do payload_digest "$f" 2>/dev/null; done)
left=0
for d in $digests; do [[ -e $cache/$d ]] && left=$((left + 1)); done
same "no cache entry for any refused package" "0" "$left"

finish
