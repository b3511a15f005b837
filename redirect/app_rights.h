// The rights the supervisor makes the app's calls with (redirect/supervisor.h): the
// app's own. A supervisor run by root holds every capability, the app none (it runs
// as uid 0 without them, as under the ns backend); the calls the supervisor makes
// for the app (opens, stats, access, readlink, rename, copy-up) must not pass a check
// the app would fail (a file of another user's that only its owner may read or write).
#pragma once

namespace appv {

// Constructed in a root supervisor once its app runs, before it answers any call:
// drops its capabilities for good (drop_supervisor_privileges, redirect/privileges.h),
// bounding set included, all but CAP_SYS_ADMIN, which stays permitted only, to lend:
// lend(true) raises it around what the translator alone does (trusted.overlay.opaque
// read and set, vfs/path_translator.h set_lender), lend(false) drops it again. Threads
// started meanwhile inherit the dropped sets. A user's supervisor holds no capability:
// nothing is dropped, lend does nothing. Throws Exit::Environment if prctl(2) or
// capset(2) refuses; the caller then ends the app, which must not run unsupervised.
class AppRights {
 public:
  AppRights();
  AppRights(const AppRights&) = delete;
  AppRights& operator=(const AppRights&) = delete;

  // True when capabilities were dropped (the supervisor is root).
  bool dropped() const { return dropped_; }
  void lend(bool raise) const;

 private:
  bool dropped_ = false;
};

}  // namespace appv
