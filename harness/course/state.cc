#include "course/state.h"

#include <filesystem>
#include <iostream>

#include "core/report.h"
#include "course/text.h"

namespace course::lessons {
namespace fs = std::filesystem;
using nlohmann::json;

State State::Load(const Paths& paths) {
  State state;
  state.path_ = paths.state;
  if (paths.state.empty() || !fs::exists(paths.state)) return state;
  json parsed = json::parse(ReadFile(paths.state), nullptr, false);
  if (parsed.is_object()) state.state_ = std::move(parsed);
  return state;
}

void State::Save() const {
  if (path_.empty()) return;
  std::error_code ignored;
  fs::create_directories(fs::path(path_).parent_path(), ignored);
  // Progress that cannot be saved is worth a word, never a failed check.
  if (absl::Status saved = harness::WriteFileAtomically(path_, state_.dump(2) + "\n");
      !saved.ok()) {
    std::cerr << "course: " << saved.message() << "\n";
  }
}

json& State::Lesson(const std::string& id) {
  // operator[] makes a null for a lesson not seen before, and null.value(...)
  // throws: every entry is made an object here.
  json& entry = state_["lessons"][id];
  if (!entry.is_object()) entry = json::object();
  return entry;
}

std::string State::Status(const std::string& id) const {
  const json lessons = state_.value("lessons", json::object());
  const json entry = lessons.is_object() ? lessons.value(id, json::object()) : json::object();
  return entry.is_object() ? entry.value("status", "") : "";
}

void State::Forget(const std::string& id) {
  if (state_.contains("lessons") && state_["lessons"].is_object()) state_["lessons"].erase(id);
}

}  // namespace course::lessons
