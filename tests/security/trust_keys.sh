#!/usr/bin/env bash
# Trust is the administrator's: the policy's key names and require_signature are
# satisfied only by keys of the system store (/etc/appv/trusted-keys), matched by the
# key itself. A user who signs with their own key labelled "release" and trusts it in
# ~/.config/appv/trusted-keys/release.pub does not pass `keys = ["release"]`; a key
# named by its fingerprint in the policy does. As a user: verify and info say which
# store trusts a key. As root: the policy matrix (/etc/appv is saved and restored).
source "$1/lib.sh"
cd "$work"
pack_jq || bad "pack jq"
mkdir -p keys mine
"$A" keygen release --dir keys >/dev/null          # the administrator's release key
"$A" keygen release --dir mine >/dev/null          # the user's own key, also "release"
cp jq.appv admin-signed.appv
cp jq.appv user-signed.appv
"$A" sign admin-signed.appv --key keys/release.key >/dev/null
"$A" sign user-signed.appv --key mine/release.key >/dev/null
fp() { "$A" verify --json "$1" | jq -r '.signatures[0].fingerprint'; }
admin_fp=$(fp admin-signed.appv) user_fp=$(fp user-signed.appv)
check "the two keys named release have different fingerprints" test "$admin_fp" != "$user_fp"
user_store=$HOME/.config/appv/trusted-keys
mkdir -p "$user_store"
cp mine/release.pub "$user_store/release.pub"
snapshot etc /etc/appv

echo "== which store trusts a key"
v=$("$A" verify user-signed.appv)
check "verify names the fingerprint and the user store" grep -q "^signature: release ($user_fp): valid, trusted by you only ($user_store/release.pub; the policy counts only /etc/appv/trusted-keys)$" <<<"$v"
same "verify --json says the user store" "user" "$("$A" verify --json user-signed.appv | jq -r '.signatures[0].trusted_store')"
check "info shows the fingerprint and the store" grep -q "^signed:    release ($user_fp): trusted by you only" <<<"$("$A" info user-signed.appv)"
check "the admin's key is not trusted by this user" grep -q "^signature: release ($admin_fp): valid, not trusted$" <<<"$("$A" verify admin-signed.appv)"

if [[ $(id -u) -eq 0 ]]; then
  echo "== the policy counts only the system store"
  save_etc
  mkdir -p /etc/appv/trusted-keys
  cp keys/release.pub /etc/appv/trusted-keys/release.pub
  runs() { rm -rf "$HOME/.cache/appv"; "$A" run "$1" -n 1 >/dev/null 2>&1; echo $?; }
  matrix() { echo "unsigned=$(runs jq.appv) admin=$(runs admin-signed.appv) user=$(runs user-signed.appv)"; }
  printf '[[rule]]\napps = "*"\nkeys = ["release"]\n' > /etc/appv/policy.toml
  same "keys = [release]: the user's own release key is refused (77)" "unsigned=77 admin=0 user=77" "$(matrix)"
  err=$("$A" run user-signed.appv -n 1 2>&1 >/dev/null)
  same "saying which store counts, in one line" "appv: refused by policy: /etc/appv/policy.toml allows only release (of /etc/appv/trusted-keys) to sign apps '*'; jq carries no valid signature by them" "$err"
  echo 'require_signature = true' > /etc/appv/policy.toml
  same "require_signature: a user-store key does not satisfy it" "unsigned=77 admin=0 user=77" "$(matrix)"
  status "nor through the runtime stub" 77 bash -c "cp user-signed.appv stub-user.appv && chmod +x stub-user.appv && ./stub-user.appv -n 1"
  # The user's key copied under another name into the user store changes nothing.
  cp mine/release.pub "$user_store/other.pub"
  same "whatever the user's file is called" "unsigned=77 admin=0 user=77" "$(matrix)"
  rm "$user_store/other.pub"
  printf '[[rule]]\napps = "*"\nkeys = ["%s"]\n' "$user_fp" > /etc/appv/policy.toml
  same "keys = [the user's fingerprint]: that key, and only it" "unsigned=77 admin=77 user=0" "$(matrix)"
  printf '[[rule]]\napps = "*"\nkeys = ["%s"]\n' "${admin_fp,,}" > /etc/appv/policy.toml
  same "a fingerprint in lower case works too" "unsigned=77 admin=0 user=77" "$(matrix)"
  check "verify shows the system store for the admin's key" grep -q "^signature: release ($admin_fp): valid, trusted by the system store (/etc/appv/trusted-keys/release.pub)$" <<<"$("$A" verify admin-signed.appv)"
  # The admin's key in the user store too: it is the system store's.
  cp keys/release.pub "$user_store/copy.pub"
  same "a key in both stores is the system store's" "system" "$("$A" verify --json admin-signed.appv | jq -r '.signatures[0].trusted_store')"
  rm "$user_store/copy.pub"
  restore_etc
  unchanged etc
else
  echo "== without a policy, the user's store only informs"
  same "the user's packages run" "0" "$("$A" run user-signed.appv -n 1 >/dev/null 2>&1; echo $?)"
fi

echo "== where a key pair is written"
# Another user's key swapped in before the .pub is handed out would be trusted: keygen
# writes only where no one else can replace its files, and never over anything.
mkdir -m 0777 shared
status "a directory others may write is refused (73)" 73 "$A" keygen k --dir shared
check "saying why" grep -q "^appv: not writing a key pair into 'shared': others may write it (mode 0777)" <<<"$("$A" keygen k --dir shared 2>&1)"
same "and leaving nothing there" "" "$(ls -A shared)"
ln -s shared planted
status "nor through a link to it (73)" 73 "$A" keygen k --dir planted
mkdir -m 1777 sticky
check "a sticky one (/tmp) is the caller's to use" "$A" keygen k --dir sticky
mkdir -m 0700 private
ln -s "$work/shared/stolen.key" private/k.key
status "a link planted at the key's name is not followed (73)" 73 "$A" keygen k --dir private
same "nothing written where it leads, nor the public half" "|k.key" "$(ls -A shared | tr '\n' ' ')|$(ls -A private | tr '\n' ' ' | sed 's/ $//')"
rm -f private/k.key
mkdir -m 0700 shared/mine
status "nor below a directory others may write, who could swap it (73)" 73 "$A" keygen k --dir shared/mine
check "naming that directory" grep -q "^appv: not writing a key pair into 'shared/mine': '$(realpath shared)' above it: others may write it (mode 0777)" <<<"$("$A" keygen k --dir shared/mine 2>&1)"
status "nor made below one (73)" 73 "$A" keygen k --dir shared/new/keys
same "leaving nothing there" "mine" "$(ls -A shared)"
mkdir -m 0770 grouped
status "a directory its group may write is refused, even the caller's own group (73)" 73 "$A" keygen k --dir grouped
mkdir -m 0700 acl
# A named user's write in a POSIX ACL (acl(5): version 2, then {tag, perm, id} entries)
# needs the mask to permit it, and the mask is what the mode shows as group bits.
python3 -c 'import os, struct, sys
e = lambda tag, perm, id: struct.pack("<HHI", tag, perm, id)
os.setxattr("acl", "system.posix_acl_access", struct.pack("<I", 2) + e(1, 7, 2**32 - 1) + e(2, 7, int(sys.argv[1]))
            + e(4, 0, 2**32 - 1) + e(0x10, 7, 2**32 - 1) + e(0x20, 0, 2**32 - 1))' 65000
same "(an ACL granting user 65000 write: its mask shows as group bits)" "770" "$(stat -c %a acl)"
status "so is one whose ACL lets another user write it (73)" 73 "$A" keygen k --dir acl
same "neither leaving anything" "|" "$(ls -A grouped)|$(ls -A acl)"
status "a key name with a control character is refused (64)" 64 "$A" keygen $'k\e[2J' --dir private
same "and shown escaped" "appv: key name 'k\\x1b[2J' must be ASCII letters, digits, '.', '_', '-', '+' or '@', not starting with '.'" "$("$A" keygen $'k\e[2J' --dir private 2>&1)"
status "a key name too long for its temporaries is refused (64)" 64 "$A" keygen "$(printf 'n%.0s' {1..201})" --dir made/a
same "leaving no directory made for it" "" "$(ls -d made 2>/dev/null)"
touch plain
status "a --dir that is a file is refused (73)" 73 "$A" keygen k --dir plain
check "a --dir made under umask 0777 is made 0700 and used" bash -c "umask 0777 && '$A' keygen k --dir made/a >/dev/null"
same "(its modes)" "700 700 600" "$(stat -c %a made made/a made/a/k.key | tr '\n' ' ' | sed 's/ $//')"
rm -rf made
if [ "$(id -u)" != 0 ]; then
  mkdir -m 0300 unreadable
  status "a directory the caller cannot read (no sync of it possible) is refused first (73)" 73 "$A" keygen k --dir unreadable
  chmod 0700 unreadable
  same "leaving no half pair" "" "$(ls -A unreadable)"
  rmdir unreadable
fi
check "then the keys are made" "$A" keygen k --dir private
same "private and public modes" "600 644" "$(stat -c %a private/k.key private/k.pub | tr '\n' ' ' | sed 's/ $//')"
status "and never made again over them (73)" 73 "$A" keygen k --dir private
rm -rf shared planted sticky private grouped acl plain
rm -rf "$HOME/.config"
finish
