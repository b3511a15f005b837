// Copies a plan's CopyUp files (vfs/view.h) into the sandbox's upper directory before
// the view is built: the app then writes to its own copy of a host file it reaches
// through a host symlink in a writecopy directory, or to its own file where a full
// rule names a file in a merged tree.
#pragma once

#include <vector>

#include "vfs/view.h"

namespace appv {

// For each copy: when nothing is at `to` yet (the app's own file wins), copies the
// regular file `from` (opened without following a final symlink) to `to`, created
// exclusively with `from`'s permission bits, through a temporary name so an
// interrupted copy leaves no half file. `to`'s parent must exist (dirs_to_create); it
// is opened below `sandbox`'s upper directory with no link on the way (the app shapes
// that tree): a link there is refused with Exit::BadInput.
// A `from` that is no longer a regular file is skipped; an empty `from` makes an
// empty file (0600). Throws Exit::Io with the path and errno when reading or writing
// fails.
void copy_up_files(const std::string& sandbox, const std::vector<CopyUp>& copies);

}  // namespace appv
