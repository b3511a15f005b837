#include "launcher/exit_statuses.h"

#include <array>

#include <fmt/format.h>

#include "base/error.h"

namespace appv::cli {
namespace {

constexpr int code(Exit e) { return static_cast<int>(e); }

constexpr std::array kStatuses{
    ExitStatusDoc{code(Exit::Ok), "success; for run, the app's own status (128+N if signal N killed it)"},
    ExitStatusDoc{code(Exit::Failure), "other failure"},
    ExitStatusDoc{code(Exit::Usage), "bad command line"},
    ExitStatusDoc{code(Exit::BadInput), "bad package or manifest (corrupt, hostile, inconsistent)"},
    ExitStatusDoc{code(Exit::NoInput), "an input file, registry tag or repository, or an app id, does not exist or cannot be read"},
    ExitStatusDoc{code(Exit::Environment),
                  "the host lacks what appv needs (user namespaces, overlayfs), or a registry is unreachable"},
    ExitStatusDoc{code(Exit::Internal), "internal error"},
    ExitStatusDoc{code(Exit::CantCreate),
                  "a name appv would create is taken: a command elsewhere on PATH, a file appv did not make, a key"},
    ExitStatusDoc{code(Exit::Io), "I/O error while writing"},
    ExitStatusDoc{code(Exit::Busy), "the app is running and the request needs it stopped, or another sync, update or rollback is running"},
    ExitStatusDoc{code(Exit::NoPerm), "refused by the machine's policy (/etc/appv/policy.toml), or by a registry's login"},
    ExitStatusDoc{code(Exit::CannotExecute), "the entry point cannot be executed"},
    ExitStatusDoc{code(Exit::NotFound), "the entry point is not in the view"},
};

}  // namespace

std::span<const ExitStatusDoc> exit_statuses() { return kStatuses; }

std::string exit_status_text() {
  std::string text = "Exit status:\n";
  for (const ExitStatusDoc& s : kStatuses) text += fmt::format("  {:<4} {}\n", s.status, s.meaning);
  return text;
}

}  // namespace appv::cli
