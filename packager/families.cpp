#include "packager/families.h"

#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "manifests/paths.h"
#include "packager/matching.h"

namespace appv {
namespace {

// Terminal descriptions users' terminals name in $TERM, for each directory ncurses
// reads (Debian's ncurses-base installs the common ones in /lib/terminfo, ncurses-term
// the rest in /usr/share/terminfo).
std::vector<std::string> common_terminals() {
  std::vector<std::string> out;
  for (const char* dir : {"/etc/terminfo", "/lib/terminfo", "/usr/share/terminfo"}) {
    for (const char* entry : {"x/xterm*", "s/screen*", "t/tmux*", "l/linux", "v/vt100", "v/vt102", "v/vt220", "d/dumb",
                              "r/rxvt*", "a/ansi", "a/alacritty*", "f/foot*", "k/konsole*", "g/gnome*", "p/putty*",
                              "s/st-*"}) {
      out.push_back(fmt::format("{}/{}", dir, entry));
    }
  }
  return out;
}

std::vector<FamilyRule> make_builtin_families() {
  // libc.so.6 anchors glibc's own data: its gconv directory sits beside it
  // (/usr/lib/x86_64-linux-gnu/gconv), its locales in /usr/lib/locale.
  const std::vector<std::string> libc = {"/**/libc.so.6"};
  return {
      // What C.UTF-8 needs, so that a user whose locale the view lacks keeps UTF-8
      // (launch/locale_fallback.h). Debian 12 ships it as a directory; older Debian
      // and Ubuntu named it C.UTF-8.
      {"the C.UTF-8 locale", libc, {"/usr/lib/locale/C.utf8", "/usr/lib/locale/C.UTF-8"}, "the C.UTF-8 locale", true,
       true},
      // ASCII, UTF-8, UCS-2/4 and ISO-8859-1 are built into glibc; iconv() and
      // everything above it (GLib's g_convert, Java's charsets on some JDKs) load the
      // rest by name through the configuration, which must come along.
      {"glibc's charset converters for the basic charsets (gconv)",
       libc,
       {"../gconv/gconv-modules", "../gconv/gconv-modules.d", "../gconv/gconv-modules.cache", "../gconv/UTF-16.so",
        "../gconv/UTF-32.so", "../gconv/UTF-7.so", "../gconv/UNICODE.so", "../gconv/ISO8859-1.so",
        "../gconv/ISO8859-15.so", "../gconv/CP1252.so"},
       "glibc's basic charset converters",
       true,
       true},
      // A run imports the codec of its own locale only; Python 3.11 cannot start in
      // another one without that locale's codec ("unknown encoding: ANSI_X3.4-1968").
      {"Python's encodings package",
       {"/**/lib/python[23].*/encodings", "/**/lib64/python[23].*/encodings"},
       {"."},
       "Python's codecs",
       true,
       true},
      {"terminfo for the common terminals",
       {"/**/libtinfo.so*", "/**/libncurses.so*", "/**/libncursesw.so*", "/etc/terminfo", "/lib/terminfo",
        "/usr/lib/terminfo", "/usr/share/terminfo"},
       common_terminals(),
       "terminfo for the common terminals",
       true,
       true},
      {"gdk-pixbuf's image loaders", {"/**/libgdk_pixbuf-2.0.so*"}, {"../gdk-pixbuf-2.0"}, "gdk-pixbuf's image loaders"},
      {"GIO modules", {"/**/libgio-2.0.so*"}, {"../gio/modules"}, "GIO's modules (GSettings backends, TLS, proxies)"},
      {"GTK input methods",
       {"/**/libgtk-3.so*"},
       {"../gtk-3.0/3.0.0/immodules", "../gtk-3.0/3.0.0/immodules.cache"},
       "GTK's input method modules"},
      {"GTK 2 input methods",
       {"/**/libgtk-x11-2.0.so*"},
       {"../gtk-2.0/2.10.0/immodules", "../gtk-2.0/2.10.0/immodules.cache"},
       "GTK's input method modules"},
      // Debian's multiarch directory, or a bundle's lib/ beside its plugins/.
      {"Qt 5 platform plugins",
       {"/**/libQt5Gui.so*"},
       {"../qt5/plugins/platforms", "../../plugins/platforms", "../plugins/platforms"},
       "Qt's platform plugins"},
      {"Qt 6 platform plugins",
       {"/**/libQt6Gui.so*"},
       {"../qt6/plugins/platforms", "../../plugins/platforms", "../plugins/platforms"},
       "Qt's platform plugins"},
      // Closure capture's blind spots that a traced run finds by itself (the fonts and
      // modules it used): closure capture warns, trace capture adds nothing.
      {"fontconfig's configuration", {"/**/libfontconfig.so*"}, {"/etc/fonts"}, "fontconfig's configuration and the fonts",
       false, false},
      {"Python's standard library", {"/**/libpython3*.so*"}, {"/**/lib/python3*"}, "Python's standard library", false,
       false},
      {"Perl's modules", {"/**/libperl.so*"}, {"/**/perl*"}, "Perl's modules", false, false},
      {"ImageMagick's configuration and coders", {"/**/libMagickCore*"}, {"/**/ImageMagick*"},
       "ImageMagick's configuration and coders", false, false},
      {"the JVM's modules", {"/**/libjvm.so"}, {"/**/lib/modules"}, "the JVM's modules", false, false},
      {"Ghostscript's resources", {"/**/libgs.so*"}, {"/**/ghostscript"}, "Ghostscript's resources", false, false},
  };
}

// The literal start of a glob's last component ("libc.so.6", "libgio-2.0.so",
// "encodings"), which any path it matches holds as the start of one of its
// components: a cheap test before the glob itself.
std::string last_component_literal(const std::string& glob) {
  const std::string last = glob.substr(glob.rfind('/') + 1);
  return "/" + last.substr(0, last.find_first_of("*?["));
}

std::string absolute_glob(const std::string& anchor, const std::string& glob) {
  return glob[0] == '/' ? glob : normalize_absolute(anchor + "/" + glob);
}

bool any_packed(const FileSet& files, const std::vector<std::string>& globs) {
  for (const auto& [path, record] : files.entries()) {
    for (const std::string& g : globs) {
      if (glob_match(g, path)) return true;
    }
  }
  return false;
}

}  // namespace

const std::vector<FamilyRule>& builtin_families() {
  static const std::vector<FamilyRule> rules = make_builtin_families();
  return rules;
}

std::vector<FamilyRule> family_rules(const Manifest& manifest) {
  std::vector<FamilyRule> rules = builtin_families();
  for (const auto& [name, family] : manifest.capture.families) {
    rules.push_back({name, family.when, family.include, name, true, true});
  }
  return rules;
}

std::string family_anchor(const std::string& glob, const std::string& path) {
  for (size_t slash = path.find('/', 1); slash != std::string::npos; slash = path.find('/', slash + 1)) {
    if (glob_match(glob, path.substr(0, slash))) return path.substr(0, slash);
  }
  return glob_match(glob, path) ? path : std::string();
}

std::vector<FamilyMatch> match_families(const std::vector<FamilyRule>& rules, const FileSet& files) {
  std::vector<FamilyMatch> out;
  std::set<std::string> seen;
  for (const FamilyRule& rule : rules) {
    for (const std::string& when : rule.when) {
      const std::string literal = last_component_literal(when);
      for (const auto& [path, record] : files.entries()) {
        if (path.find(literal) == std::string::npos) continue;
        const std::string anchor = family_anchor(when, path);
        if (anchor.empty()) continue;
        FamilyMatch m{&rule, anchor, {}};
        for (const std::string& g : rule.include) m.globs.push_back(absolute_glob(anchor, g));
        if (seen.insert(fmt::format("{}\n{}", rule.name, fmt::join(m.globs, "\n"))).second) out.push_back(std::move(m));
      }
    }
  }
  return out;
}

std::string family_reason(const FamilyMatch& match) {
  return fmt::format("family {} (for {})", match.rule->name, match.anchor);
}

std::vector<std::string> bring_families(const std::vector<FamilyRule>& rules, FamilyUse use, ClosureResolver& resolver,
                                        FileSet& files, const std::function<bool(const std::string&)>& skip) {
  std::vector<std::string> lines;
  std::set<std::string> done;
  // A family's files may anchor another family (a GIO module linking libgtk): a few
  // rounds reach every one; each rule and anchor is applied once.
  for (int round = 0; round < 4; ++round) {
    bool brought = false;
    for (const FamilyMatch& m : match_families(rules, files)) {
      if (!done.insert(fmt::format("{}\n{}", m.rule->name, fmt::join(m.globs, "\n"))).second) continue;
      if (!(use == FamilyUse::Trace ? m.rule->trace : m.rule->closure)) {
        if (use == FamilyUse::Closure && !any_packed(files, m.globs)) {
          files.note(fmt::format("'{}' is packed, but {} it reads at run time are not (no ELF header names "
                                 "them); pack with --trace, or add them to files.include",
                                 m.anchor, m.rule->what));
        }
        continue;
      }
      size_t n = 0;
      for (const std::string& glob : m.globs) n += add_matching(resolver, glob, family_reason(m), skip);
      lines.push_back(fmt::format("family {} (for {}): {} file(s)", m.rule->name, m.anchor, n));
      brought = true;
    }
    if (!brought) break;
  }
  return lines;
}

}  // namespace appv
