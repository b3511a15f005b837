// The rights the supervisor makes the app's calls with (redirect/supervisor.h): the
// app's own. A supervisor run by root holds every capability, the app none (it runs
// as uid 0 without them, as under the ns backend); the calls the supervisor makes
// for the app (opens, stats, access, readlink, rename) must not pass a check the app
// would fail (a file of another user's that only its owner may read).
#pragma once

namespace appv {

// While alive, the calling thread's effective capabilities are dropped (root only;
// a user's supervisor holds none), its permitted ones kept to lend: lend(true)
// raises them for what the supervisor does on its own account (the translator's
// copy-ups, whiteouts, trusted.* attributes), lend(false) drops them again. Threads
// started meanwhile inherit the dropped set. Throws Exit::Environment if capset(2)
// refuses.
class AppRights {
 public:
  AppRights();
  ~AppRights();
  AppRights(const AppRights&) = delete;
  AppRights& operator=(const AppRights&) = delete;

  // True when capabilities were dropped (the supervisor is root).
  bool dropped() const { return dropped_; }
  void lend(bool raise) const;

 private:
  bool dropped_ = false;
  unsigned held_[2][3] = {};  // the capability sets as found: effective, permitted, inheritable
};

}  // namespace appv
