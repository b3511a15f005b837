# Every dependency comes from a Debian package (scripts/install-deps installs them).
find_package(PkgConfig REQUIRED)
find_package(fmt REQUIRED)
find_package(Boost 1.74 REQUIRED COMPONENTS filesystem)
find_package(tomlplusplus REQUIRED)
find_package(CLI11 REQUIRED)
find_package(nlohmann_json REQUIRED)
pkg_check_modules(LIBARCHIVE REQUIRED IMPORTED_TARGET libarchive)
pkg_check_modules(LIBCRYPTO REQUIRED IMPORTED_TARGET libcrypto)
# Ed25519 signatures: libsodium is small enough to link into the static runtime stub
# (OpenSSL 3's EVP layer would pull in its whole default provider, +3 MB).
pkg_check_modules(LIBSODIUM REQUIRED IMPORTED_TARGET libsodium)
# OCI registries (appv push/pull/run oci://): HTTP, TLS, proxies as users configure them.
pkg_check_modules(LIBCURL REQUIRED IMPORTED_TARGET libcurl)
# The system-call filter every app runs under (redirect/seccomp_filter.h), compiled
# when appv is built; appv and the stub do not link it.
pkg_check_modules(LIBSECCOMP REQUIRED IMPORTED_TARGET libseccomp)

# LIEF 0.9 (Debian 12) ships neither a CMake config nor a pkg-config file.
find_path(LIEF_INCLUDE_DIR LIEF/LIEF.hpp REQUIRED)
find_library(LIEF_LIBRARY NAMES LIEF REQUIRED)
add_library(LIEF::LIEF UNKNOWN IMPORTED)
set_target_properties(LIEF::LIEF PROPERTIES
  IMPORTED_LOCATION "${LIEF_LIBRARY}"
  INTERFACE_INCLUDE_DIRECTORIES "${LIEF_INCLUDE_DIR}")

if(APPV_TESTS)
  find_package(Catch2 2.13 REQUIRED)
  include(Catch)
endif()

# The runtime stub of self-executing packages is linked statically, so it runs on
# hosts without appv or any of its libraries. Only what the run path needs.
foreach(lib archive acl zstd crypto sodium)
  find_library(APPV_STATIC_${lib} NAMES lib${lib}.a)
endforeach()

# The run path's libraries as the modules link them: appv::archive, appv::crypto,
# appv::sodium. (libseccomp is used at build time only: redirect/seccomp_program_gen.cpp.) An executable whose APPV_STATIC_RUN_DEPS property is ON
# (appv itself) gets their static archives, as the stub does: every shared library a
# process maps costs each launch the dynamic loader's symbol lookups and the kernel's
# mappings (libarchive alone brings libxml2, ICU, lzma, bz2, lz4, nettle and zlib,
# which appv's tar+zstd never calls). Everything else (the modules, which are shared
# objects, and the tests) links the shared libraries.
set(_appv_static "$<BOOL:$<TARGET_PROPERTY:APPV_STATIC_RUN_DEPS>>")
function(appv_run_dep name shared)
  add_library(appv_dep_${name} INTERFACE)
  add_library(appv::${name} ALIAS appv_dep_${name})
  foreach(archive ${ARGN})
    target_link_libraries(appv_dep_${name} INTERFACE "$<${_appv_static}:${APPV_STATIC_${archive}}>")
  endforeach()
  target_link_libraries(appv_dep_${name} INTERFACE "$<$<NOT:${_appv_static}>:${shared}>")
  target_include_directories(appv_dep_${name} INTERFACE $<TARGET_PROPERTY:${shared},INTERFACE_INCLUDE_DIRECTORIES>)
endfunction()
appv_run_dep(archive PkgConfig::LIBARCHIVE archive acl zstd)
appv_run_dep(crypto PkgConfig::LIBCRYPTO crypto)
appv_run_dep(sodium PkgConfig::LIBSODIUM sodium)

# Each module adds the sources the stub compiles again (without LIEF, CLI11, Boost).
set_property(GLOBAL PROPERTY APPV_STUB_SOURCES "")
function(appv_stub_sources)
  foreach(src ${ARGN})
    set_property(GLOBAL APPEND PROPERTY APPV_STUB_SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/${src})
  endforeach()
endfunction()
