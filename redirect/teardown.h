// Letting `appv run` return while the app's namespace is torn down.
//
// When the app has ended and its init leaves, the kernel tears the view down in init's
// exit: every overlay is unmounted, and unmounting an overlay syncs the whole file
// system holding its upper directory (the user's home, shared with everything else
// written there). That takes milliseconds on a quiet disk and tens of them on a busy
// one, and none of it is the app's: its files are already in the sandbox, visible to
// the host; the sync only makes them durable sooner (the app's own fsyncs are kept
// either way). What must wait for the teardown is the next use of the sandbox: a new
// overlay on an upper directory another overlay still holds is undefined behaviour, and
// `sandbox reset` must not change it underneath. Both take the sandbox's lock first,
// which a small detached process (the holder) keeps until the teardown is done.
//
// An init that lingers (redirect/pid_namespace.h Linger) takes the lock itself when it
// leaves, through a second open file description of the lock file that the holder
// keeps too: the lock, which belongs to that description, stays taken by the holder's
// copy after init is gone, until the holder, watching init, sees the teardown done.
#pragma once

#include <sys/types.h>

#include <string>

#include "base/unique_fd.h"

namespace appv {

class TeardownHolder {
 public:
  // Forks the holder for `sandbox`. Call before the launch enters any namespace (the
  // holder must stay in the host's PID namespace, where init's end does not end it),
  // single-threaded. The holder keeps nothing of this process open (its standard
  // streams are /dev/null: a pipe reading the launch's output sees its end when the
  // app is done) and is in a session of its own (the terminal's signals do not end it
  // early). If it cannot be forked, hand_over() waits for init itself. `linger_lock`
  // (vfs/sandbox_access.h open_sandbox_lock, or -1) is the one descriptor the holder
  // keeps from its fork on: a lingering init's, see watch().
  explicit TeardownHolder(const std::string& sandbox, int linger_lock = -1);
  // The holder ends at once if it was not handed an init (init stays, or the launch
  // failed).
  ~TeardownHolder() = default;
  TeardownHolder(const TeardownHolder&) = delete;
  TeardownHolder& operator=(const TeardownHolder&) = delete;

  // `init` (this process's child, ended or ending, not yet reaped) leaves with the
  // app: takes the sandbox's lock (waiting for a launch that is entering the view),
  // removes the instance's record (vfs/sandbox_access.h forget_instance) and takes a
  // pidfd of init, and sends the lock and the pidfd to the holder, which keeps the lock until init is
  // gone, that is until the kernel has released its namespaces. Returns at once: the
  // next launch of the app, and every change of its sandbox from outside, waits for
  // the teardown; this launch does not. Where there is no holder, or no pidfd (before
  // Linux 5.3), waits for init here instead. Throws Exit::Io if the lock cannot be
  // taken.
  void hand_over(pid_t init);

  // True if the holder runs (it was forked): an init may linger only then, as nothing
  // else would keep the lock it takes until its teardown is done.
  bool running() const { return static_cast<bool>(channel_); }

  // `init` (this process's child, just started, holding the same `linger_lock`) will
  // linger: sends the holder a pidfd of init, and the holder keeps its copy of the
  // lock until init is gone. Returns false if the pidfd could not be taken or sent
  // (the holder then ends: init must not linger on a lock nobody keeps).
  bool watch(pid_t init);

 private:
  std::string sandbox_;
  UniqueFd channel_;  // a SOCK_SEQPACKET pair's end: the lock and init's pidfd go through it
  bool keeps_lock_ = false;  // the holder keeps a lingering init's lock: watch(), not hand_over()
};

}  // namespace appv
