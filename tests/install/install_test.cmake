# cmake -P driver for the `install_consumer` test (see CMakeLists.txt next to this file).
# Inputs: WSNOVA_BINARY_DIR, CONSUMER_SOURCE_DIR, WORK_DIR, GENERATOR, CXX_COMPILER, BUILD_TYPE.
cmake_minimum_required(VERSION 3.25)

foreach(var WSNOVA_BINARY_DIR CONSUMER_SOURCE_DIR WORK_DIR GENERATOR CXX_COMPILER)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "install_test.cmake: ${var} is not set")
  endif()
endforeach()

set(prefix "${WORK_DIR}/prefix")
set(consumer_build "${WORK_DIR}/consumer-build")
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

function(step name)
  message(STATUS "install test: ${name}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "install test: ${name} failed (${rc}):\n${out}")
  endif()
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

step("install into ${prefix}"
  "${CMAKE_COMMAND}" --install "${WSNOVA_BINARY_DIR}" --prefix "${prefix}")

# The installed tree must be self-contained: no path back into the source or build tree.
file(GLOB_RECURSE config_files "${prefix}/*.cmake")
foreach(f IN LISTS config_files)
  file(READ "${f}" text)
  foreach(forbidden "${WSNOVA_BINARY_DIR}" "${CONSUMER_SOURCE_DIR}")
    string(FIND "${text}" "${forbidden}" pos)
    if(NOT pos EQUAL -1)
      message(FATAL_ERROR "install test: ${f} refers to ${forbidden}")
    endif()
  endforeach()
endforeach()
if(IS_SYMLINK "${prefix}/include/wsnova")
  message(FATAL_ERROR "install test: ${prefix}/include/wsnova is a symlink, not copied headers")
endif()

if(NOT BUILD_TYPE)
  set(BUILD_TYPE RelWithDebInfo)
endif()
step("configure the consumer"
  "${CMAKE_COMMAND}" -S "${CONSUMER_SOURCE_DIR}" -B "${consumer_build}" -G "${GENERATOR}"
  "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}" "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}"
  "-DCMAKE_PREFIX_PATH=${prefix}"
  # Only the installed copy may be found (not a package registry entry or the build tree).
  -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF)
step("build the consumer" "${CMAKE_COMMAND}" --build "${consumer_build}")

# The consumer must have found the installed package, not something else.
file(STRINGS "${consumer_build}/CMakeCache.txt" found_dir REGEX "^wsnova_DIR:")
string(FIND "${found_dir}" "${prefix}" pos)
if(pos EQUAL -1)
  message(FATAL_ERROR "install test: consumer used ${found_dir}, not ${prefix}")
endif()

step("run the consumer" "${consumer_build}/app")
set(expected "url: wss://example.com:8443/feed?x=1 host=example.com port=8443 secure=1"
             "bad url rejected"
             "actor system: ok")
foreach(line IN LISTS expected)
  string(FIND "${step_output}" "${line}" pos)
  if(pos EQUAL -1)
    message(FATAL_ERROR "install test: consumer output lacks \"${line}\":\n${step_output}")
  endif()
endforeach()
message(STATUS "install test: passed\n${step_output}")
