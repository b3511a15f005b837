// Runs a cleanup when the scope ends unless dismissed, after absl::Cleanup: moving a
// guard disarms the moved-from one, so a cleanup runs once however the guard travels.
// Replaces try { ... } catch (...) { cleanup; throw; } where the cleanup must also run
// on early returns, or should be written next to what it undoes.
#pragma once

#include <type_traits>
#include <utility>

namespace appv {

template <typename F>
class [[nodiscard]] ScopeGuard {
 public:
  explicit ScopeGuard(F f) : f_(std::move(f)) {}
  ScopeGuard(ScopeGuard&& other) noexcept(std::is_nothrow_move_constructible_v<F>)
      : f_(std::move(other.f_)), armed_(std::exchange(other.armed_, false)) {}
  ScopeGuard(const ScopeGuard&) = delete;
  ScopeGuard& operator=(const ScopeGuard&) = delete;
  ScopeGuard& operator=(ScopeGuard&&) = delete;
  // The cleanup must not throw: it runs during unwinding.
  ~ScopeGuard() {
    if (armed_) f_();
  }
  // The work succeeded: the cleanup will not run.
  void dismiss() noexcept { armed_ = false; }

 private:
  F f_;
  bool armed_ = true;
};

}  // namespace appv
