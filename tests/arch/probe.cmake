# ctest arch.views.* (tests/arch/CMakeLists.txt): builds the probe TARGET in BUILD_DIR and checks
# the outcome. EXPECT=fails: the build must fail, and because HEADER is not found (a failure for
# any other reason proves nothing about the views); EXPECT=compiles: it must build.
#
# cmake -DBUILD_DIR= -DTARGET= -DHEADER= -DEXPECT=fails|compiles -P probe.cmake
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BUILD_DIR} --target ${TARGET}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
string(REPLACE "." "\\." header_re "${HEADER}")
if(EXPECT STREQUAL "fails")
  if(rc EQUAL 0)
    message(FATAL_ERROR "${TARGET}: including ${HEADER} compiled, but the include view should not "
                        "have it (src/dependencies.txt):\n${out}")
  endif()
  if(NOT out MATCHES "${header_re}: No such file or directory" AND NOT out MATCHES "'${header_re}' file not found")
    message(FATAL_ERROR "${TARGET}: the build failed, but not with 'No such file' for ${HEADER}:\n${out}")
  endif()
  message(STATUS "${TARGET}: ${HEADER} is not in the view, as the arrows say")
elseif(EXPECT STREQUAL "compiles")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${TARGET}: including ${HEADER} failed, but the arrows allow it:\n${out}")
  endif()
  message(STATUS "${TARGET}: ${HEADER} compiles, as the arrows allow")
else()
  message(FATAL_ERROR "probe.cmake: EXPECT must be fails or compiles, not '${EXPECT}'")
endif()
