# ASan/UBSan twins of the libtorch parts, inside the normal (Release) build tree.
#
# Debian's libtorch headers do not compile with clang-14 in C++20, so CI's clang ASan/UBSan tree
# (scripts/sanitize) leaves hepkit::nn and the surrogate models out. They used to get a GCC ASan
# tree of their own, which compiled io, fit, events, expr and core once more, instrumented, for
# them: ~8 minutes of CI on 2 cores. A twin instead compiles only the libtorch parts and their tests
# again, with GCC's AddressSanitizer and UndefinedBehaviorSanitizer, and links them against the
# tree's ordinary libraries. Those are not instrumented here: their own checks are the clang tree's
# (every one of their tests runs there); what a twin checks is the code of its own sources, and
# LeakSanitizer still sees every allocation of the process.
#
# HEPKIT_ASAN_TWINS=ON (scripts/sanitize sets it in build/; scripts/test sets it OFF) builds them
# with the tree; the twins of test programs register their cases as `asan.<Suite>.<Case>` (label
# `asan`). ASAN_OPTIONS/UBSAN_OPTIONS come from the environment (scripts/sanitize sets defaults).

option(HEPKIT_ASAN_TWINS "Build ASan/UBSan copies of the libtorch libraries and their tests (CI)" OFF)

# hepkit_asan_twin(TARGET [TWINS lib...]): at the end of the calling directory (after every
# target_sources), TARGET_asan: the same sources, include directories, definitions, options and
# precompiled headers, compiled with the sanitizers at -O1; in its link libraries each library
# named in TWINS (e.g. hepkit_nn) is replaced by its own twin.
function(hepkit_asan_twin target)
  if(NOT HEPKIT_ASAN_TWINS)
    return()
  endif()
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "TWINS")
  cmake_language(EVAL CODE "cmake_language(DEFER CALL _hepkit_asan_twin_now [[${target}]] [[${arg_TWINS}]])")
endfunction()

function(_hepkit_asan_twin_now target twins)
  set(twin ${target}_asan)
  get_target_property(type ${target} TYPE)
  get_target_property(sources ${target} SOURCES)
  if(type STREQUAL "EXECUTABLE")
    add_executable(${twin} ${sources})
  else()
    # the same kind as the original (with BUILD_SHARED_LIBS, a shared library's interface does not
    # list its private dependencies for its users to link, as a static one's does)
    string(REPLACE "_LIBRARY" "" kind ${type})
    add_library(${twin} ${kind} ${sources})
  endif()
  foreach(property INCLUDE_DIRECTORIES COMPILE_DEFINITIONS COMPILE_OPTIONS PRECOMPILE_HEADERS
                   INTERFACE_INCLUDE_DIRECTORIES INTERFACE_COMPILE_DEFINITIONS)
    get_target_property(value ${target} ${property})
    if(value)
      set_property(TARGET ${twin} PROPERTY ${property} "${value}")
    endif()
  endforeach()
  foreach(property LINK_LIBRARIES INTERFACE_LINK_LIBRARIES)
    get_target_property(value ${target} ${property})
    if(value)
      foreach(lib IN LISTS twins)
        string(REPLACE "hepkit_" "hepkit::" alias ${lib})
        # also where a generator expression wraps the name ($<LINK_ONLY:hepkit::nn>): linking
        # both copies would define every symbol twice
        list(TRANSFORM value REPLACE "(^|:)(${lib}|${alias})(>?)$" "\\1${lib}_asan\\3")
      endforeach()
      set_property(TARGET ${twin} PROPERTY ${property} "${value}")
    endif()
  endforeach()
  # -O1 as the clang tree; assertions on again (the Release flags define NDEBUG) with libstdc++'s
  # bounds checks. Neither changes an ABI, so the twin links the tree's Release libraries.
  target_compile_options(${twin} PRIVATE -O1 -g1 -UNDEBUG -D_GLIBCXX_ASSERTIONS -fsanitize=address,undefined
                                         -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(${twin} PRIVATE -fsanitize=address,undefined)
  if(type STREQUAL "EXECUTABLE")
    gtest_discover_tests(${twin} TEST_PREFIX "asan." DISCOVERY_TIMEOUT 120 PROPERTIES LABELS asan)
  endif()
endfunction()
