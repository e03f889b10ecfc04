# Warnings as an interface target, linked PRIVATE by every target we own, so
# generated code and system headers are not held to them.
add_library(course_warnings INTERFACE)
add_library(course::warnings ALIAS course_warnings)
target_compile_options(course_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
  -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough
  $<$<BOOL:${COURSE_WERROR}>:-Werror>)
