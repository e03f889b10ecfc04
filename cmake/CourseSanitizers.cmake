# Sanitizer builds, chosen with one cache option (the `asan` and `tsan`
# presets set it):
#   COURSE_SANITIZE=address   AddressSanitizer + UndefinedBehaviorSanitizer
#   COURSE_SANITIZE=thread    ThreadSanitizer
# The flags go on every target of the tree, the generated proto code
# included: a sanitizer sees only the code it instrumented, and mixing
# instrumented and plain objects of one library hides findings. This is the
# one place where the project sets global flags.
#
# Tests join a set by label: `sanitize` for ASan+UBSan, `tsan` for TSan
# (ctest --preset asan / tsan select them).
set(COURSE_SANITIZE "" CACHE STRING "Sanitizers to build with: address (ASan+UBSan), thread (TSan), or empty")
set_property(CACHE COURSE_SANITIZE PROPERTY STRINGS "" address thread)

if(COURSE_SANITIZE STREQUAL "address")
  # Any UBSan finding ends the test (no recovery), so it cannot scroll by
  # unnoticed in a passing run.
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
elseif(COURSE_SANITIZE STREQUAL "thread")
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
elseif(NOT COURSE_SANITIZE STREQUAL "")
  message(FATAL_ERROR "COURSE_SANITIZE is `${COURSE_SANITIZE}`: use address, thread or leave it empty")
endif()
