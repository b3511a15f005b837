// Adding the host files a glob names: what a manifest's files.include and a file
// family (packager/families.h) bring into a package.
#pragma once

#include <functional>
#include <string>

#include "packager/closure.h"

namespace appv {

// The directory part of a glob's literal prefix, where walking it starts:
// "/usr/lib/*/gconv/UTF-16.so" -> "/usr/lib"; a glob without wildcards is its own root.
std::string walk_root(const std::string& glob);

// Adds every host file below the glob's walk root that `glob` matches, with closures,
// each with `reason`. A matching link to a directory brings the link and the whole
// tree it names (as `/usr/share/perl/5.36 -> 5.36.0` or Java's `conf ->
// /etc/java-17-openjdk` need), once per tree. `skip` leaves a path out (and a
// directory's whole tree). Returns how many files were added; 0 if the root is
// absent. Throws Exit::Io if a directory cannot be walked.
size_t add_matching(ClosureResolver& resolver, const std::string& glob, const std::string& reason,
                    const std::function<bool(const std::string&)>& skip);

}  // namespace appv
