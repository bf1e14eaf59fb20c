# zerospof_module(NAME API <headers...> DEPS <modules...> [LIBS <external targets...>])
#
# Declares src/<NAME> as a static library `zerospof_<NAME>` from every .cpp in that folder, and
# records its interface and its module dependencies. scripts/check-includes.py reads these
# declarations and fails any #include of a module that is not listed in DEPS, and any #include
# from another module of a header that is not in the module's API, so the build states the
# architecture: the API headers are what the module promises, the rest is its own business.
function(zerospof_module NAME)
  cmake_parse_arguments(ARG "" "" "API;DEPS;LIBS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  # A module whose first file is not written yet is an INTERFACE library, so the tree configures.
  set(scope PUBLIC)
  if(sources)
    add_library(zerospof_${NAME} STATIC ${sources})
  else()
    add_library(zerospof_${NAME} INTERFACE)
    set(scope INTERFACE)
  endif()
  target_include_directories(zerospof_${NAME} ${scope} ${PROJECT_SOURCE_DIR}/src)
  foreach(dep IN LISTS ARG_DEPS)
    target_link_libraries(zerospof_${NAME} ${scope} zerospof_${dep})
  endforeach()
  target_link_libraries(zerospof_${NAME} ${scope} ${ARG_LIBS})
endfunction()

# zerospof_test(MODULE [LIBS <targets...>])
#
# One gtest binary per module, `zerospof_<MODULE>_tests`, from every *_test.cpp in
# tests/<MODULE>, linked with tests/support. Each test case is registered with ctest.
function(zerospof_test MODULE)
  cmake_parse_arguments(ARG "" "" "LIBS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${MODULE}/*_test.cpp)
  if(NOT sources)
    return()
  endif()
  set(target zerospof_${MODULE}_tests)
  add_executable(${target} ${sources})
  if(TARGET zerospof_${MODULE})
    target_link_libraries(${target} PRIVATE zerospof_${MODULE})
  endif()
  target_link_libraries(${target} PRIVATE zerospof_test_support ${ARG_LIBS}
                        GTest::gtest GTest::gmock GTest::gtest_main)
  target_compile_definitions(${target} PRIVATE
    ZEROSPOF_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    ZEROSPOF_SHARED_DIR="${PROJECT_SOURCE_DIR}/../shared"
    ZEROSPOF_BINARY="$<TARGET_FILE:zerospof>")
  if(MODULE MATCHES "^(e2e|lab|cli)$")
    add_dependencies(${target} zerospof)
  endif()
  if(MODULE STREQUAL "e2e")
    # One ctest test per suite, each in a process of its own: a suite whose tests leave the lab
    # as they found it brings it up once (tests/e2e/lab_cluster.h, SharedLab). The suites are
    # read from the sources, which CMake watches, so a new suite is never left out.
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${sources})
    set(suites "")
    foreach(source IN LISTS sources)
      file(STRINGS ${source} lines REGEX "^TEST(_F)?\\(")
      foreach(line IN LISTS lines)
        string(REGEX REPLACE "^TEST(_F)?\\(([A-Za-z0-9_]+),.*" "\\2" suite "${line}")
        list(APPEND suites ${suite})
      endforeach()
    endforeach()
    list(REMOVE_DUPLICATES suites)
    # Suites that start from the same applied cluster run in one process and share one lab (a lab
    # up and an apply fewer: about three minutes of CI): the drill heals every fault and waits for
    # the cluster to be healthy again, and status asks about that cluster.
    set(one_cluster DrillTest StatusTest)
    list(REMOVE_ITEM suites ${one_cluster})
    # Joined with '-', not '+': names are matched as regular expressions (`ctest -R`).
    list(JOIN one_cluster "-" joined_name)
    list(TRANSFORM one_cluster APPEND ".*")
    list(JOIN one_cluster ":" joined_filter)
    list(APPEND suites "${joined_name}")
    foreach(suite IN LISTS suites)
      set(filter ${suite}.*)
      if(suite STREQUAL joined_name)
        set(filter ${joined_filter})
      endif()
      add_test(NAME e2e.${suite} COMMAND ${target} --gtest_filter=${filter})
      # The suites share this machine's one lab (its image cache, bridge and addresses): never two
      # at once, even under `ctest -j`.
      set_tests_properties(e2e.${suite} PROPERTIES LABELS e2e RESOURCE_LOCK lab TIMEOUT 3600)
    endforeach()
    return()
  endif()
  set(lock "")
  if(MODULE STREQUAL "transport")
    # The transport tests' sshd (tests/transport/local_sshd.h) creates /run/sshd, its privilege
    # separation directory, when it is missing and removes it after: two tests at once pulled it
    # from under each other's running sshd (seen: put_file failing under ctest -j2).
    set(lock RESOURCE_LOCK sshd)
  endif()
  gtest_discover_tests(${target} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS ${MODULE} ${lock})
endfunction()
