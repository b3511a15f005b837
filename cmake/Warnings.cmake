# One warning list for every appv target, in the spirit of bubblewrap's.
add_library(appv_warnings_only INTERFACE)
target_compile_options(appv_warnings_only INTERFACE
  -Wall -Wextra -Wshadow -Wnon-virtual-dtor -Wcast-align -Wunused
  -Woverloaded-virtual -Wformat=2 -Wimplicit-fallthrough -Wmisleading-indentation)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  target_compile_options(appv_warnings_only INTERFACE -Wduplicated-cond -Wlogical-op)
endif()
if(APPV_WERROR)
  target_compile_options(appv_warnings_only INTERFACE -Werror)
endif()
add_library(appv::warnings_only ALIAS appv_warnings_only)

# What every target but the static runtime stub links: the warnings, and the
# sanitizers in a sanitizer build.
add_library(appv_warnings INTERFACE)
target_link_libraries(appv_warnings INTERFACE appv_warnings_only)
if(APPV_SANITIZE)
  target_compile_options(appv_warnings INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                         -fno-sanitize-recover=undefined)
  target_link_options(appv_warnings INTERFACE -fsanitize=address,undefined)
endif()
add_library(appv::warnings ALIAS appv_warnings)
