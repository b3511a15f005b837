#!/usr/bin/env bash
# A host whose /usr has mounts below it (/usr/local on a disk of its own, holding
# another mount, as an NVIDIA driver disk at /usr/local/nvidia, and a dead FUSE
# mount): the default view of a
# package with files in /usr works around them, for an unprivileged user (whose user
# namespace inherits those mounts locked: overlayfs refuses a lower layer with one
# below it) and for root (whose overlay of /usr would show the empty directories
# below the mounts). Making the mounts needs root, so this scenario has a root
# variant only: it re-runs itself in a private mount namespace (nothing of it reaches
# the host's mount table or files), mounts there, and launches as root and, through
# runuser, as the test user appv-e2e.
# Last, kernel file systems (proc, devpts) mounted below /var and /mnt are hidden, and
# a sysctl's file bound onto a file in /mnt.
# Run alone: ctest -R e2e_root_submounts
if [[ -z ${APPV_E2E_PRIVATE_MOUNTS:-} && $(id -u) -eq 0 ]]; then
  APPV_E2E_PRIVATE_MOUNTS=1 exec unshare --mount --propagation private bash "$0" "$@"
fi
source "$1/lib.sh"
[[ $(id -u) -eq 0 ]] || skip "making mounts below /usr needs root (the root variant launches as appv-e2e too)"
[[ -d /usr/local && ! -L /usr/local ]] || skip "this host has no /usr/local directory to mount on"
[[ $(findmnt -n -o TARGET --target /usr/local) == /usr/local ]] && skip "/usr/local is a mount already (the scenario would hide it)"

# The test user (as run-scenario makes it) and a home of its own.
id appv-e2e >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin appv-e2e 2>/dev/null ||
  id appv-e2e >/dev/null
uhome=$work/user-home
mkdir "$uhome" && chown appv-e2e: "$uhome"
as_user() { runuser -u appv-e2e -- env -i "HOME=$uhome" "PATH=$PATH" "LANG=C.UTF-8" "$@"; }

# This namespace's /usr/local: a tmpfs (a mount below /usr) with a file, a link and a
# directory beside a second mount, which is writable for everyone (as /tmp is) so
# the user's app can write into it. While packing, it also holds the package's own
# file, which the launches' host then lacks.
mount -t tmpfs -o mode=0755 appv-e2e-local /usr/local
mkdir -p /usr/local/lib/appv-e2e /usr/local/share/appv-e2e-mnt
echo "from the package" > /usr/local/lib/appv-e2e/packaged.txt
sed -e 's/^id = .*/id = "org.e2e.submounts"/' -e 's|^include = \[|include = [ "/usr/local/lib/appv-e2e",|' \
  "$M/python3.toml" > submounts.toml
check "pack python3 with a file of its own in /usr/local" "$A" pack -q -m submounts.toml -o submounts.appv
rm -r /usr/local/lib/appv-e2e
echo "the host's file beside the mounts" > /usr/local/host-file.txt
head -c 2097152 /dev/zero > /usr/local/big-file.bin
chmod 666 /usr/local/big-file.bin  # so that the read-only mount, not the mode, refuses writes
ln -s lib /usr/local/lib-link
mount -t tmpfs -o mode=1777 appv-e2e-mnt /usr/local/share/appv-e2e-mnt
# The user's own file there, writable for all: overlayfs in a user namespace cannot
# copy up a file whose owner is not mapped in it (EOVERFLOW), wherever it lies, and a
# root launch holds no capability to override the mode.
echo "inside the mount" > /usr/local/share/appv-e2e-mnt/inside.txt
chown appv-e2e: /usr/local/share/appv-e2e-mnt/inside.txt
chmod 666 /usr/local/share/appv-e2e-mnt/inside.txt
# A FUSE mount whose daemon is gone (a crashed sshfs): every lookup in it fails with
# ENOTCONN. The launch leaves it out of the view instead of failing on it.
[[ -c /dev/fuse ]] || modprobe fuse 2>/dev/null
check "the FUSE device is there (for the dead mount)" test -c /dev/fuse
mkdir /usr/local/share/appv-e2e-dead
python3 -c 'import ctypes, os, sys
fd = os.open("/dev/fuse", os.O_RDWR)
libc = ctypes.CDLL(None, use_errno=True)
if libc.mount(b"appv-e2e-dead", b"/usr/local/share/appv-e2e-dead", b"fuse", 0, f"fd={fd},rootmode=40000,user_id=0,group_id=0".encode()):
    sys.exit("mount: " + os.strerror(ctypes.get_errno()))'
same "the dead FUSE mount refuses lookups" "Transport endpoint is not connected" \
  "$(stat /usr/local/share/appv-e2e-dead 2>&1 >/dev/null | sed 's/.*: //')"
check "the mounts are below /usr" test "$(findmnt -n -o TARGET --target /usr/local/share/appv-e2e-mnt)" = /usr/local/share/appv-e2e-mnt
snapshot usr-local /usr/local /usr/local/share/appv-e2e-mnt
host_env=$(sha256sum /usr/bin/env | cut -d' ' -f1)

# What the app reads: its packaged file, a host /usr file the package lacks, the file
# inside the mount, and the host's files and link directly in the split /usr/local.
probe_read='import hashlib, os
def read(p):
    try:
        return open(p).read().strip()
    except OSError as e:
        return "<" + os.strerror(e.errno) + ">"
print("packaged:", read("/usr/local/lib/appv-e2e/packaged.txt"))
print("host /usr:", hashlib.sha256(open("/usr/bin/env", "rb").read()).hexdigest())
print("inside:", read("/usr/local/share/appv-e2e-mnt/inside.txt"))
print("beside:", read("/usr/local/host-file.txt"))
print("big beside:", os.path.getsize("/usr/local/big-file.bin"))
print("link:", os.readlink("/usr/local/lib-link"))
print("dead mount:", os.path.exists("/usr/local/share/appv-e2e-dead"))'
want_read="packaged: from the package
host /usr: $host_env
inside: inside the mount
beside: the host's file beside the mounts
big beside: 2097152
link: lib
dead mount: False"
# What it writes: a file directly in /usr, one in the package's directory, one in the
# mount, changes to the mount's file and to the host's small file beside the mounts (a
# copy in the split layer); a large file there is bound read-only (README, limitations).
probe_write='import errno, os
for path, text in (("/usr/appv-e2e-top.txt", "top"), ("/usr/local/lib/appv-e2e/new.txt", "in the package directory"),
                   ("/usr/local/share/appv-e2e-mnt/new.txt", "in the mount")):
    open(path, "w").write(text)
open("/usr/local/share/appv-e2e-mnt/inside.txt", "a").write("changed by the app\n")
open("/usr/local/host-file.txt", "a").write("changed by the app\n")
try:
    open("/usr/local/big-file.bin", "a").write("changed by the app\n")
    print("big beside: written")
except OSError as e:
    print("big beside:", errno.errorcode[e.errno])'
probe_again='for p in ("/usr/appv-e2e-top.txt", "/usr/local/lib/appv-e2e/new.txt", "/usr/local/share/appv-e2e-mnt/new.txt",
          "/usr/local/share/appv-e2e-mnt/inside.txt", "/usr/local/host-file.txt"):
    print(p + ":", open(p).read().replace("\n", "|"))'

# launch WHO HOME: the checks for one launching user; the host is checked after each.
launch() {
  local who=$1 home=$2 run=()
  [[ $who == user ]] && run=(as_user)
  local upper=$home/.local/share/appv/sandboxes/org.e2e.submounts/upper
  echo "== as $who"
  same "$who: the dry run splits /usr and /usr/local around the mounts" \
    "split /usr split /usr/local split /usr/local/share overlay /usr/local/share/appv-e2e-mnt" \
    "$("${run[@]}" "$A" run --dry-run submounts.appv | awk '$1 ~ /^(split|overlay)$/ && $2 ~ /^\/usr(\/local(\/share(\/appv-e2e-mnt)?)?)?$/ {print $1, $2}' | tr '\n' ' ' | sed 's/ $//')"
  same "$who: the app reads its package's, the host's and the mount's files" "$want_read" \
    "$("${run[@]}" "$A" run submounts.appv -c "$probe_read" 2>&1)"
  same "$who: the app writes below /usr; the host's large file beside the mounts is read-only" "big beside: EROFS" \
    "$("${run[@]}" "$A" run submounts.appv -c "$probe_write" 2>&1)"
  same "$who: the next launch sees what the app wrote" \
    "/usr/appv-e2e-top.txt: top
/usr/local/lib/appv-e2e/new.txt: in the package directory
/usr/local/share/appv-e2e-mnt/new.txt: in the mount
/usr/local/share/appv-e2e-mnt/inside.txt: inside the mount|changed by the app|
/usr/local/host-file.txt: the host's file beside the mounts|changed by the app|" \
    "$("${run[@]}" "$A" run submounts.appv -c "$probe_again" 2>&1)"
  same "$who: the writes are in the sandbox" "top|in the mount|inside the mount changed by the app" \
    "$(cat "$upper/usr/appv-e2e-top.txt")|$(cat "$upper/usr/local/share/appv-e2e-mnt/new.txt")|$(tr '\n' ' ' <"$upper/usr/local/share/appv-e2e-mnt/inside.txt" | sed 's/ $//')"
  # Only the app's own files: the split layers' mount points, copies and the host's link are not in it.
  same "$who: the split directories' mount points and links stay out of the sandbox" \
    "$upper/usr/appv-e2e-top.txt $upper/usr/local/host-file.txt" \
    "$(find "$upper/usr" "$upper/usr/local" -maxdepth 1 ! -type d | sort | tr '\n' ' ' | sed 's/ $//')"
  unchanged usr-local
  check "$who: nothing was written to the host's /usr" test ! -e /usr/appv-e2e-top.txt
}

launch user "$uhome"
launch root "$HOME"

# A FUSE mount whose daemon is alive but never answers (a hung sshfs, or a hard NFS
# mount of a server that is down): it answers the kernel's INIT, then reads each
# request and answers none, so that each lookup of it waits for good, and SIGKILL does
# not end a wait for a request the daemon has read. The launch waits 2 s for it, then
# leaves it out with a notice; for another user than its owner the kernel refuses at
# once (no allow_other). On /usr/games, which nothing else here walks.
echo "== a mount that never answers"
python3 -c 'import ctypes, os, struct, sys
fd = os.open("/dev/fuse", os.O_RDWR)
libc = ctypes.CDLL(None, use_errno=True)
if libc.mount(b"appv-e2e-hung", b"/usr/games", b"fuse", 0, f"fd={fd},rootmode=40000,user_id=0,group_id=0".encode()):
    sys.exit("mount: " + os.strerror(ctypes.get_errno()))
unique = struct.unpack_from("=IIQ", os.read(fd, 1 << 17))[2]  # FUSE_INIT, from <linux/fuse.h>
init_out = struct.pack("=IIIIHHIIHHI28x", 7, 31, 0, 0, 0, 0, 4096, 0, 0, 0, 0)  # protocol 7.31
os.write(fd, struct.pack("=IiQ", 16 + len(init_out), 0, unique) + init_out)
open(sys.argv[1], "w").close()
while True:
    os.read(fd, 1 << 17)' "$work/hung.ready" &
hung_daemon=$!
for _ in $(seq 50); do [[ -e $work/hung.ready ]] && break; sleep 0.1; done
same "the mount does not answer, not even to SIGKILL" "137 D" \
  "$(timeout -s KILL 2 stat /usr/games >/dev/null 2>&1; echo $?) $(ps -eo stat=,args= | awk '$2 == "stat" && $3 == "/usr/games" { print substr($1, 1, 1) }')"
out=$(timeout 60 "$A" run submounts.appv -c 'print("ran")' 2>&1); rc=$?
same "root: the launch runs the app" "0 ran" "$rc $(grep -v '^appv:' <<<"$out")"
check "root: saying that the mount was left out" grep -qx "appv: /usr/games: a mount that did not answer within 2 s (a hung network or FUSE file system); left out of the view" <<<"$out"
out=$(as_user timeout 60 "$A" run submounts.appv -c 'print("ran")' 2>&1); rc=$?
same "user: the launch runs the app" "0 ran" "$rc $out"
# A home below it (appv's own directories elsewhere): nothing below the mount is looked
# at, where each lookup would wait for good.
out=$(HOME=/usr/games/home XDG_DATA_HOME=$work/xdg-data XDG_CACHE_HOME=$work/xdg-cache \
  timeout 60 "$A" run submounts.appv -c 'print("ran")' 2>&1); rc=$?
same "root, a home below the mount: the launch runs the app" "0 ran" "$rc $(grep -v '^appv:' <<<"$out")"
kill "$hung_daemon"; wait "$hung_daemon" 2>/dev/null
umount -l /usr/games

echo "== the kernel's own file systems mounted in odd places are hidden"
# A build chroot's /proc and /dev/pts below /var (writecopy: the tree is split around
# them) and a procfs below /mnt (merged: a bind takes it along). Shown, even read-only,
# a host procfs leads to other processes' roots and sets kernel-wide values for a
# capability-free uid 0, and a devpts gives the user's other terminals. A sysctl's
# file bound onto a file in /mnt: an empty read-only file (root could set it), also
# under a writecopy rule on its own path (which places nothing: a package could
# otherwise un-hide it). A device's node (devtmpfs) bound onto a file: the same.
chroot_dir=/var/tmp/appv-e2e-chroot.$$
sysctl_file=/mnt/appv-e2e-core_pattern.$$
device_file=/mnt/appv-e2e-zero.$$
core_pattern=$(cat /proc/sys/kernel/core_pattern)
mkdir -p "$chroot_dir/proc" "$chroot_dir/pts" "/mnt/appv-e2e-proc.$$"
: >"$sysctl_file"
: >"$device_file"
mount -t proc proc "$chroot_dir/proc" && mount --bind /dev/pts "$chroot_dir/pts" &&
  mount -t proc proc "/mnt/appv-e2e-proc.$$" && mount --bind /proc/sys/kernel/core_pattern "$sysctl_file" &&
  mount --bind /dev/zero "$device_file" ||
  bad "mount the kernel's file systems"
prog="import errno, os
def write(path):
    try:
        with open(path, 'w') as f:
            f.write('|/bin/false')
        return 'written'
    except OSError as e:
        return errno.errorcode[e.errno]
print(*(len(os.listdir(d)) for d in ('$chroot_dir/proc', '$chroot_dir/pts', '/mnt/appv-e2e-proc.$$')),
      repr(open('$sysctl_file').read()), write('$sysctl_file'), repr(open('$device_file', 'rb').read(4)))"
for backend in ns ptrace; do
  same "root, $backend backend: each is an empty directory, the sysctl and the device empty files" "0 0 0 '' EROFS b''" \
    "$("$A" run --backend "$backend" submounts.appv -c "$prog" 2>&1 | grep -v '^appv:')"
  same "root, $backend backend, a writecopy rule on the sysctl's path: still an empty read-only file" "0 0 0 '' EROFS b''" \
    "$("$A" run --backend "$backend" --isolate "$sysctl_file=writecopy" submounts.appv -c "$prog" 2>&1 | grep -v '^appv:')"
  same "user, $backend backend: each is an empty directory, the sysctl and the device empty files" "0 0 0 '' EROFS b''" \
    "$(as_user "$A" run --backend "$backend" submounts.appv -c "$prog" 2>&1 | grep -v '^appv:')"
done
same "the host's kernel.core_pattern is unchanged" "$core_pattern" "$(cat /proc/sys/kernel/core_pattern)"
# What a failure changed, put back.
[[ $(cat /proc/sys/kernel/core_pattern) == "$core_pattern" ]] || printf '%s\n' "$core_pattern" >/proc/sys/kernel/core_pattern
umount "$chroot_dir/proc" "$chroot_dir/pts" "/mnt/appv-e2e-proc.$$" "$sysctl_file" "$device_file"
rm -r "$chroot_dir" "/mnt/appv-e2e-proc.$$" "$sysctl_file" "$device_file"
rm -rf "$uhome"
finish
