# Precompiled headers for the heaviest headers: libtorch (~20 s of parsing per translation unit),
# CLI11 + nlohmann-json in the command-line program, GoogleTest in the tests. They cut a cold build
# (and so CI, which builds the tree twice, Release and clang ASan/UBSan, plus GCC ASan twins of the
# libtorch parts)
# by minutes; measured per translation unit: libtorch 25 s -> 13 s, a `hepkit` command 10.7 s ->
# 7.0 s, a test 10.7 s -> 7.1 s, for one precompilation per target (5–30 s).
# The precompiled header is force-included, so it must not hide a missing #include: `arch.includes`
# and HEPKIT_PCH=OFF builds (the install test's consumer project) still compile every file alone
# (in a plain build: a unity build, HEPKIT_UNITY, compiles several files together anyway).
# ccache caches such files only with CCACHE_SLOPPINESS=pch_defines,time_macros (docs/install.md, "Build and install").
option(HEPKIT_PCH "Precompile the heaviest headers (libtorch, CLI11, GoogleTest)" ON)

# hepkit_precompile(TARGET HEADERS h... [MATCHING REGEX] [MIN_SOURCES N])
# At the end of the calling directory (after every target_sources), gives TARGET a precompiled header
# of HEADERS, used by its .cpp sources whose text matches REGEX (all when REGEX is absent); the others
# skip it. Nothing happens when fewer than N (default 2) translation units would use it (sources, or
# unity files in a unity build): one precompilation costs about what it saves in one unit.
function(hepkit_precompile target)
  if(NOT HEPKIT_PCH)
    return()
  endif()
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "MATCHING;MIN_SOURCES" "HEADERS")
  if(NOT arg_MIN_SOURCES)
    set(arg_MIN_SOURCES 2)
  endif()
  cmake_language(EVAL CODE "cmake_language(DEFER CALL _hepkit_precompile_now [[${target}]] [[${arg_MATCHING}]]
                                           [[${arg_MIN_SOURCES}]] [[${arg_HEADERS}]])")
endfunction()

function(_hepkit_precompile_now target matching min_sources headers)
  get_target_property(sources ${target} SOURCES)
  get_target_property(dir ${target} SOURCE_DIR)
  # What a precompilation saves, it saves per translation unit: in a unity build (HEPKIT_UNITY) the
  # sources share units, and a test program is mostly one, where GoogleTest's precompilation (4–5 s)
  # cost more than it saved that unit (test_grid's unit at -O1: 19.0 s without, 18.5 s with). So
  # the units that would use it are counted: CMake fills unity files with the target's sources in
  # order, BATCH_SIZE at a time, leaving out those with compile settings of their own (one unit each).
  get_target_property(unity ${target} UNITY_BUILD)
  get_target_property(batch ${target} UNITY_BUILD_BATCH_SIZE)
  set(skipping "")
  set(count 0)
  set(position 0)
  set(batches "")
  foreach(source IN LISTS sources)
    if(NOT source MATCHES "\\.cpp$")
      continue()
    endif()
    set(use ON)
    if(matching)
      get_filename_component(path ${source} ABSOLUTE BASE_DIR ${dir})
      file(READ ${path} text)
      if(NOT text MATCHES "${matching}")
        set(use OFF)
      endif()
    endif()
    set(alone ON)
    if(unity)
      set(alone OFF)
      foreach(property SKIP_UNITY_BUILD_INCLUSION COMPILE_OPTIONS COMPILE_DEFINITIONS COMPILE_FLAGS
                       INCLUDE_DIRECTORIES)
        get_source_file_property(value ${source} TARGET_DIRECTORY ${target} ${property})
        if(value)
          set(alone ON)
        endif()
      endforeach()
    endif()
    set(unit "${source}") # a source alone is its own unit
    if(NOT alone)
      set(unit 0)
      if(batch GREATER 0)
        math(EXPR unit "${position} / ${batch}")
      endif()
      math(EXPR position "${position} + 1")
    endif()
    if(NOT use)
      list(APPEND skipping ${source})
    elseif(NOT unit IN_LIST batches)
      list(APPEND batches ${unit})
      math(EXPR count "${count} + 1")
    endif()
  endforeach()
  if(count LESS min_sources)
    return()
  endif()
  target_precompile_headers(${target} PRIVATE ${headers})
  if(skipping)
    set_source_files_properties(${skipping} TARGET_DIRECTORY ${target} PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
  endif()
endfunction()
