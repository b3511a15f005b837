#!/usr/bin/env bash
# git, packed by tracing the workflow a user runs (init, add, commit, clone over
# file://, switch, fetch, rebase, log: git's helper programs in /usr/lib/git-core and
# the shell it runs them with are found by the run), with a manifest naming git the
# entry point. On the foreign host tanaka runs the same workflow with the package, in
# the default view and the full view; the rebased history and files are checked.
# Run alone: tests/apps/run-app git build/launcher/appv .
source "$1/lib.sh"
source "$1/hosts-lib.sh"
source "$1/apps-lib.sh"
echo "== git on $suite"
needs git
native_app=/usr/bin/git
# Identity and dates from the environment: tanaka has no ~/.gitconfig (never ran git).
workflow='set -e
export GIT_AUTHOR_NAME="Tanaka Hanako" GIT_AUTHOR_EMAIL=tanaka@example.jp GIT_COMMITTER_NAME="Tanaka Hanako"
export GIT_COMMITTER_EMAIL=tanaka@example.jp GIT_AUTHOR_DATE=2024-01-02T03:04:05+09:00 GIT_COMMITTER_DATE=2024-01-02T03:04:05+09:00
d=$(mktemp -d)
cd "$d"
app init -q -b main origin
echo one >origin/a.txt
app -C origin add a.txt
app -C origin commit -q -m "first: café"
app clone -q "file://$d/origin" clone
app -C clone switch -q -c feature
echo feature >clone/b.txt
app -C clone add b.txt
app -C clone commit -q -m "feature: ブランチ"
echo two >>origin/a.txt
app -C origin commit -q -am "second on main"
app -C clone fetch -q origin
app -C clone rebase -q origin/main
app -C clone log --format="%s|%an|%ad" --date=iso
cat clone/a.txt clone/b.txt
rm -rf "$d"'
expected=$'feature: ブランチ|Tanaka Hanako|2024-01-02 03:04:05 +0900
second on main|Tanaka Hanako|2024-01-02 03:04:05 +0900
first: café|Tanaka Hanako|2024-01-02 03:04:05 +0900
one
two
feature'
cat >git.toml <<TOML
id = "org.git-scm.git"
name = "git"
version = "$(dpkg-query -W -f '${Version}' git)"
[entry.git]
path = "/usr/bin/git"
TOML
same "control: the workflow natively" "$expected" "$(native "$workflow")"
pack_timed "trace of the workflow, manifest for the entry" git.appv -m git.toml --trace -- \
  bash -c "app() { $native_app \"\$@\"; }
$workflow"
for view in "${VIEWS[@]}"; do
  same "$suite, as tanaka, $view view: the rebased history and files" "$expected" \
    "$(on_host tanaka "$view" "$pkgs/git.appv" "$workflow")"
done
record timed "the workflow (14 launches of git)"
start_times "$workflow"
apps_finish
