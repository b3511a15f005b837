// What an icon file is, told by its bytes rather than its name: the formats the Icon
// Theme Specification lets desktops load (PNG, SVG, XPM) and the theme size
// directory an icon belongs in. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace appv {

enum class IconFormat { Png, Svg, Xpm };

struct IconImage {
  IconFormat format;
  unsigned width = 0, height = 0;  // pixels; 0 for SVG, which scales
};

// PNG by its signature and IHDR chunk, XPM by its "/* XPM */" header and values line,
// SVG as XML text whose document element is <svg> (gzip-compressed SVG is not
// loaded by every desktop and is refused). nullopt for anything else.
std::optional<IconImage> sniff_icon(std::string_view bytes);

// "png", "svg", "xpm".
const char* icon_extension(IconFormat format);
// The format an extension names ("png" -> Png), or nullopt.
std::optional<IconFormat> icon_format_of_extension(std::string_view ext);
// "PNG", "SVG", "XPM".
const char* icon_format_name(IconFormat format);

// The hicolor size directory for an icon outside a theme: "scalable" for SVG, "NxN"
// for a square PNG or XPM of at most 1024 px; otherwise "" and `why` says why.
std::string icon_size_dir(const IconImage& image, std::string* why);

// Icon files larger than this are refused: the largest hicolor PNG (1024 px) and any
// sensible SVG fit.
constexpr size_t kMaxIconBytes = 8 << 20;

}  // namespace appv
