// A scratch directory removed with everything in it at the end of a test.
#pragma once

#include <string>
#include <vector>

namespace appv::test {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

void write_file(const std::string& path, const std::string& content, unsigned mode = 0644);
std::string read_file(const std::string& path);
bool exists(const std::string& path);
// Every path below `dir`, relative, sorted (for "nothing else was written" checks).
std::vector<std::string> list_tree(const std::string& dir);

}  // namespace appv::test
