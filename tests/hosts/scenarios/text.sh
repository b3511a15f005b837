#!/usr/bin/env bash
# Text is printed intact under the foreign host's LANG, which the host may not have a
# locale for (it has no `locales` package: C and C.UTF-8 only, from its own glibc):
# LANG unset, C, C.UTF-8 and fr_FR.UTF-8 (this machine lacks fr_FR too), as root and as
# tanaka, in the default view and with the system trees full.
# - python3 prints "café" as UTF-8 under every LANG (its UTF-8 mode covers C);
# - coreutils' printf and wc follow LC_CTYPE: under a UTF-8 LANG, printf '\u00e9' is é
#   and "café" is 4 characters; under C (or LANG unset) they stay C's (\u00E9, 5).
#   fr_FR.UTF-8 exists nowhere: a UTF-8 LANG is expected to keep UTF-8 text when its
#   language is missing (a fallback to C.UTF-8), not to drop to C's ASCII, and appv
#   says so in one line on stderr; the other LANGs start without a word.
# Run alone: ctest -R hosts_bullseye_text (or hosts_trixie_text).
source "$1/lib.sh"
source "$1/hosts-lib.sh"
echo "== text on $suite"
pack_python3
mv python3.appv "$pkgs/python3.appv"
packed "$pkgs/text.appv" /usr/bin/printf /usr/bin/wc
cafe=$'caf\u00e9'
LANGS=(unset C C.UTF-8 fr_FR.UTF-8)
declare -A E_ACUTE=([unset]='\u00E9' [C]='\u00E9' [C.UTF-8]=$'\u00e9' [fr_FR.UTF-8]=$'\u00e9')
declare -A CHARS=([unset]=5 [C]=5 [C.UTF-8]=4 [fr_FR.UTF-8]=4)
same "control: the $suite host has no fr_FR locale" "" "$(on tanaka -- bash -c 'locale -a | grep -i fr_')"
same "control: the $suite host's own printf under C.UTF-8" $'\u00e9' "$(on tanaka --lang C.UTF-8 -- printf '\u00e9')"
for who in "${USERS[@]}"; do
  for view in "${VIEWS[@]}"; do
    for lang in "${LANGS[@]}"; do
      at="$suite, as $who, $view view, LANG $lang"
      same "$at: python3 prints café" "$cafe" \
        "$(ON_STDERR=$work/stderr app "$who" "$view" --lang "$lang" "$pkgs/python3.appv" -c 'print("caf\u00e9")')"
      if [[ $lang == fr_FR.UTF-8 ]]; then
        check "$at: one line names the missing locale and the fallback" \
          bash -c "[[ \$(wc -l < '$work/stderr') -eq 1 ]] && grep -q 'fr_FR.UTF-8.*C.UTF-8' '$work/stderr'"
      else
        same "$at: nothing on stderr" "" "$(cat "$work/stderr")"
      fi
      export ON_STDERR=$work/stderr
      same "$at: printf '\\u00e9'" "${E_ACUTE[$lang]}" "$(app "$who" "$view" --lang "$lang" "$pkgs/text.appv" '\u00e9')"
      same "$at: wc -m of café" "${CHARS[$lang]}" \
        "$(printf '%s' "$cafe" | app "$who" "$view" --lang "$lang" "$pkgs/text.appv" --appv-entry wc -m)"
      unset ON_STDERR
    done
  done
done
finish
