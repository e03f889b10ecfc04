// The learner's progress (.course/state.json): per lesson, its status
// ("passing", "failing"), points and hints shown.
#ifndef COURSE_HARNESS_COURSE_STATE_H_
#define COURSE_HARNESS_COURSE_STATE_H_

#include <nlohmann/json.hpp>
#include <string>

#include "course/manifest.h"

namespace course::lessons {

class State {
 public:
  // An empty state when there is no file (or no state is kept).
  static State Load(const Paths& paths);
  // Writes it back; a no-op when no state is kept.
  void Save() const;

  // A lesson's entry, always an object (created when missing).
  nlohmann::json& Lesson(const std::string& id);
  std::string Status(const std::string& id) const;  // "" when never checked
  void Forget(const std::string& id);

 private:
  std::string path_;
  nlohmann::json state_ = nlohmann::json::object();
};

}  // namespace course::lessons

#endif  // COURSE_HARNESS_COURSE_STATE_H_
