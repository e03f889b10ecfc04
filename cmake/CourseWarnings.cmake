# Warnings as an interface target, linked PRIVATE by every target we own, so
# generated code and system headers are not held to them.
set(COURSE_WARNING_FLAGS
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
  -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough)
add_library(course_warnings INTERFACE)
add_library(course::warnings ALIAS course_warnings)
target_compile_options(course_warnings INTERFACE
  ${COURSE_WARNING_FLAGS} $<$<BOOL:${COURSE_WERROR}>:-Werror>)

# The same warnings for a learner's exercise code, never as errors: an unused
# variable in the middle of an exercise is something to see, not a build that
# stops (`course check` prints the warnings of the lesson it builds).
add_library(course_learner_warnings INTERFACE)
add_library(course::learner_warnings ALIAS course_learner_warnings)
target_compile_options(course_learner_warnings INTERFACE ${COURSE_WARNING_FLAGS})
