// The user's locale inside the view. glibc loads a locale from /usr/lib/locale (its
// archive, or one directory per locale); a view that hides the host's /usr (full
// isolation) or a host without the user's language leaves the app without it, and
// then setlocale(LC_ALL, "") fails as a whole: the app runs in the C locale, ASCII
// only (Java prints '?' for every other character, Perl warns on every start).
//
// The planner replaces each locale variable naming a locale the view lacks, and says
// so in one line. The fallback is C.UTF-8 for a UTF-8 locale when the view has
// C.UTF-8 (glibc's own C.utf8 on Debian 12; capture packs it with libc): it differs
// from C only in its character set, so the app keeps handling the user's text as
// UTF-8 (as the terminal and the user's files expect) and formats numbers, dates and
// sorting as C would, which is what a host without the locale gives; gettext still
// honours LANGUAGE for translations the package holds, which it ignores in plain C.
// Any other locale (another charset, or C.UTF-8 itself missing) falls back to C,
// glibc's built-in.
//
// Pure: the view's trees come as TreeProbes and the archive's names as data read by
// the caller (launch_plan.h LaunchInputs::read_locale_archive).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "vfs/view.h"

namespace appv {

// Where glibc's locales live, in the view and on disk.
inline constexpr const char* kLocaleDir = "/usr/lib/locale";
inline constexpr const char* kLocaleArchive = "/usr/lib/locale/locale-archive";

// What the view shows at /usr/lib/locale.
struct LocaleSources {
  std::vector<const TreeProbe*> trees;  // the trees whose locale directories the view shows (overlay: all of them)
  // The names in the archive the view shows (the package's if it has one, else the
  // host's where visible), as glibc stores them ("fr_FR.utf8"). nullopt when the view
  // shows an archive appv could not read: every name then counts as present, since
  // appv does not guess. An empty set when it shows none.
  std::optional<std::set<std::string>> archive = std::set<std::string>{};
  std::string where;  // the view in words, for the notice: "the package; the host's is hidden"
};

// glibc's normalised codeset (_nl_normalize_codeset): letters lowercased, digits
// kept, the rest dropped, "iso" in front of an all-digit result: "UTF-8" -> "utf8".
std::string normalize_codeset(std::string_view codeset);

// True if setlocale() inside the view finds `name` ("fr_FR.UTF-8", "C.utf8"): a
// built-in name (C, POSIX), an archive entry, or a directory holding LC_CTYPE, under
// the name as written or with its codeset normalised.
bool locale_in_view(const std::string& name, const LocaleSources& sources);

struct LocaleFallback {
  std::vector<std::string> env;  // NAME=VALUE, the locale variables the view lacks replaced
  std::string notice;            // one line for stderr ("" when nothing was missing)
};

// Checks LC_ALL, every LC_<category> and LANG in `env` (NAME=VALUE strings); an
// environment with LOCPATH set is returned unchanged (glibc then reads only there).
LocaleFallback fall_back_locales(std::vector<std::string> env, const LocaleSources& sources);

// The locale names a glibc locale archive holds (locale/locarchive.h: a header of
// 32-bit words in the machine's byte order, a hash table of {hash, name offset, record
// offset}), or nullopt if `bytes` is not one or points outside itself.
std::optional<std::set<std::string>> locale_archive_names(std::string_view bytes);

}  // namespace appv
