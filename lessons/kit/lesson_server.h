// Where a lesson's tests find the lesson's own server.
//
// The build bakes in the path of the server built next to the tests; the
// grader, which reuses the course's compiled tests against a submission's
// freshly built server, points COURSE_LESSON_SERVER at that server instead.
#ifndef COURSE_LESSONS_KIT_LESSON_SERVER_H_
#define COURSE_LESSONS_KIT_LESSON_SERVER_H_

#include <cstdlib>
#include <string>

namespace course::kit {

inline std::string LessonServerPath(const char* built) {
  const char* chosen = std::getenv("COURSE_LESSON_SERVER");
  return chosen != nullptr && *chosen != '\0' ? chosen : built;
}

}  // namespace course::kit

#ifdef LESSON_SERVER_BUILT
#define LESSON_SERVER (::course::kit::LessonServerPath(LESSON_SERVER_BUILT))
#endif

#endif  // COURSE_LESSONS_KIT_LESSON_SERVER_H_
