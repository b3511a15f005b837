#include "manifests/icon_format.h"

#include <charconv>
#include <cstdint>

#include <fmt/format.h>

namespace appv {
namespace {

uint32_t be32(std::string_view b, size_t at) {
  return (uint32_t(uint8_t(b[at])) << 24) | (uint32_t(uint8_t(b[at + 1])) << 16) | (uint32_t(uint8_t(b[at + 2])) << 8) |
         uint32_t(uint8_t(b[at + 3]));
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// The XPM values line, the first string of the array: "WIDTH HEIGHT COLOURS CPP ...".
std::optional<IconImage> sniff_xpm(std::string_view b) {
  size_t brace = b.find('{');
  size_t open = brace == std::string_view::npos ? brace : b.find('"', brace);
  if (open == std::string_view::npos) return std::nullopt;
  size_t close = b.find('"', open + 1);
  if (close == std::string_view::npos) return std::nullopt;
  std::string_view values = b.substr(open + 1, close - open - 1);
  unsigned dims[2] = {0, 0};
  const char* p = values.data();
  const char* end = values.data() + values.size();
  for (unsigned& d : dims) {
    while (p < end && is_space(*p)) ++p;
    auto [next, ec] = std::from_chars(p, end, d);
    if (ec != std::errc() || d == 0) return std::nullopt;
    p = next;
  }
  return IconImage{IconFormat::Xpm, dims[0], dims[1]};
}

// XML text (an optional byte-order mark, declarations, comments and a DOCTYPE) whose
// first element is <svg ...>.
bool is_svg(std::string_view b) {
  if (b.substr(0, 3) == "\xEF\xBB\xBF") b.remove_prefix(3);
  for (size_t i = 0; i < b.size() && i < 64 * 1024;) {
    if (is_space(b[i])) {
      ++i;
      continue;
    }
    if (b[i] != '<') return false;
    std::string_view rest = b.substr(i);
    if (rest.substr(0, 4) == "<svg" && rest.size() > 4 && (is_space(rest[4]) || rest[4] == '>')) return true;
    const bool comment = rest.substr(0, 4) == "<!--";
    size_t end;
    if (comment) end = rest.find("-->");
    else if (rest.substr(0, 2) == "<?" || rest.substr(0, 2) == "<!") end = rest.find('>');
    else return false;  // another document element
    if (end == std::string_view::npos) return false;
    i += end + (comment ? 3 : 1);
  }
  return false;
}

}  // namespace

std::optional<IconImage> sniff_icon(std::string_view b) {
  if (b.size() >= 24 && b.substr(0, 8) == "\x89PNG\r\n\x1a\n" && b.substr(12, 4) == "IHDR") {
    return IconImage{IconFormat::Png, be32(b, 16), be32(b, 20)};
  }
  if (b.substr(0, 9) == "/* XPM */") return sniff_xpm(b);
  if (is_svg(b)) return IconImage{IconFormat::Svg, 0, 0};
  return std::nullopt;
}

const char* icon_extension(IconFormat format) {
  switch (format) {
    case IconFormat::Png: return "png";
    case IconFormat::Svg: return "svg";
    case IconFormat::Xpm: return "xpm";
  }
  return "";
}

const char* icon_format_name(IconFormat format) {
  switch (format) {
    case IconFormat::Png: return "PNG";
    case IconFormat::Svg: return "SVG";
    case IconFormat::Xpm: return "XPM";
  }
  return "";
}

std::optional<IconFormat> icon_format_of_extension(std::string_view ext) {
  for (IconFormat f : {IconFormat::Png, IconFormat::Svg, IconFormat::Xpm}) {
    if (ext == icon_extension(f)) return f;
  }
  return std::nullopt;
}

std::string icon_size_dir(const IconImage& image, std::string* why) {
  if (image.format == IconFormat::Svg) return "scalable";
  if (image.width == 0 || image.width > 1024 || image.width != image.height) {
    *why = fmt::format("a {} icon must be square and at most 1024 px, this one is {}x{}", icon_format_name(image.format),
                       image.width, image.height);
    return {};
  }
  return fmt::format("{}x{}", image.width, image.width);
}

}  // namespace appv
