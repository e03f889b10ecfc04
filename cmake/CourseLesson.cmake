# course_lesson(NN-slug [SERVER file...] [LIB file...] [TESTS file...])
#
# One call adds a lesson. File names are relative to exercises/NN-slug/ and
# solutions/NN-slug/ (the same names on both sides) or, for TESTS, to
# lessons/NN-slug/. For each side (exercise, solution) it builds:
#   lesson-NN-<side>        a course server from SERVER files (with the kit)
#   lesson-NN-<side>-tests  a gtest binary from TESTS + LIB files
# and adds the ctests that prove the lesson is whole: the solution passes its
# checks, the untouched stub fails them.
#
# The exercise side is the learner's code: it is not part of `all` (one
# lesson that does not compile must not stop `./course status` or another
# lesson's check; `course check NN` builds lesson-NN on demand, and
# course-exercises builds them all for the tests), and its warnings are not
# errors. The solution side is ours and keeps -Werror.
function(course_lesson dir)
  cmake_parse_arguments(L "" "" "SERVER;LIB;TESTS" ${ARGN})
  # The id is what comes before the first dash: "02" or "02a" (a lesson added
  # later sorts into place without renaming the folders after it).
  string(REGEX REPLACE "-.*$" "" nn "${dir}")
  set(targets)
  foreach(side exercise solution)
    set(side_dir ${PROJECT_SOURCE_DIR}/${side}s/${dir})
    if(side STREQUAL "exercise")
      set(only_on_demand EXCLUDE_FROM_ALL)
      set(warnings course::learner_warnings)
    else()
      set(only_on_demand)
      set(warnings course::warnings)
    endif()
    if(L_SERVER)
      list(TRANSFORM L_SERVER PREPEND ${side_dir}/ OUTPUT_VARIABLE sources)
      add_executable(lesson-${nn}-${side} ${only_on_demand} ${sources})
      target_include_directories(lesson-${nn}-${side} PRIVATE ${side_dir})
      target_link_libraries(lesson-${nn}-${side} PRIVATE course::kit ${warnings})
      # The kit's headers (gRPC, protobuf, the contract) precompiled once for
      # every lesson server: rebuilding after an edit takes seconds, not tens.
      target_precompile_headers(lesson-${nn}-${side} REUSE_FROM course_lesson_pch)
      list(APPEND targets lesson-${nn}-${side})
    endif()
    if(L_TESTS)
      list(TRANSFORM L_LIB PREPEND ${side_dir}/ OUTPUT_VARIABLE lib_sources)
      list(TRANSFORM L_TESTS PREPEND ${PROJECT_SOURCE_DIR}/lessons/${dir}/ OUTPUT_VARIABLE test_sources)
      add_executable(lesson-${nn}-${side}-tests ${only_on_demand} ${test_sources} ${lib_sources})
      target_include_directories(lesson-${nn}-${side}-tests PRIVATE ${side_dir})
      target_link_libraries(lesson-${nn}-${side}-tests
        PRIVATE course::kit course::harness GTest::gtest_main rapidcheck ${warnings})
      target_compile_definitions(lesson-${nn}-${side}-tests PRIVATE
        LESSON_SIDE="${side}" LESSON_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
      if(L_SERVER)
        # Tests that need the lesson's own server find it here.
        target_compile_definitions(lesson-${nn}-${side}-tests PRIVATE
          LESSON_SERVER_BUILT="$<TARGET_FILE:lesson-${nn}-${side}>")
      endif()
      list(APPEND targets lesson-${nn}-${side}-tests)
    endif()
  endforeach()
  # `course check` rebuilds just these.
  foreach(target IN LISTS targets)
    if(target MATCHES "-exercise")
      set_property(GLOBAL APPEND PROPERTY COURSE_EXERCISE_TARGETS ${target})
    endif()
  endforeach()
  if(targets)
    add_custom_target(lesson-${nn} DEPENDS ${targets})
  else()
    add_custom_target(lesson-${nn})  # a quiz-only lesson: nothing to build
  endif()

  add_test(NAME lesson.${nn}.solution_passes
    COMMAND course-cli check ${nn} --side solution --no-build --no-state)
  set_tests_properties(lesson.${nn}.solution_passes PROPERTIES TIMEOUT 180)
  add_test(NAME lesson.${nn}.stub_fails
    COMMAND course-cli check ${nn} --side exercise --no-build --no-state)
  # The stub must fail, and say which task to do. Its binaries are built on
  # demand, by the lessons.exercises_build fixture (lessons/CMakeLists.txt).
  set_tests_properties(lesson.${nn}.stub_fails PROPERTIES
    TIMEOUT 180 PASS_REGULAR_EXPRESSION "TODO\\(task [0-9]+\\)"
    FIXTURES_REQUIRED course_exercises)
endfunction()
