# One warning list for every appv target, in the spirit of bubblewrap's.
add_library(appv_warnings INTERFACE)
target_compile_options(appv_warnings INTERFACE
  -Wall -Wextra -Wshadow -Wnon-virtual-dtor -Wcast-align -Wunused
  -Woverloaded-virtual -Wformat=2 -Wimplicit-fallthrough
  -Wmisleading-indentation -Wduplicated-cond -Wlogical-op)
if(APPV_WERROR)
  target_compile_options(appv_warnings INTERFACE -Werror)
endif()
if(APPV_SANITIZE)
  target_compile_options(appv_warnings INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                         -fno-sanitize-recover=undefined)
  target_link_options(appv_warnings INTERFACE -fsanitize=address,undefined)
endif()
add_library(appv::warnings ALIAS appv_warnings)
