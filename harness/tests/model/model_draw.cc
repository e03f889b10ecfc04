// How the model test draws requests (generators) and shows them (display).
#include <rapidcheck.h>
#include <rapidcheck/state.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/describe.h"
#include "course/v1/course.grpc.pb.h"
#include "tests/model/model_parts.h"

namespace course::harness::model_detail {
namespace {

// characters. Always valid UTF-8: proto3 rejects anything else, and that
// failure would surface as a misleading error.
const std::vector<std::string>& NameCharacters() {
  static const std::vector<std::string> characters = {
      "a",
      "B",
      "z",
      "0",
      " ",
      "-",
      "'",
      ".",
      "\xC3\xA9",          // e with acute accent
      "\xC3\x9F",          // sharp s
      "\xD0\x96",          // Cyrillic Zhe
      "\xD8\xA7",          // Arabic alef
      "\xE4\xB8\xAD",      // CJK "middle"
      "\xE2\x82\xAC",      // euro sign
      "\xF0\x9D\x84\x9E",  // musical G clef
      "\xF0\x9F\x98\x80",  // grinning face
  };
  return characters;
}

std::string NameOfBytes(std::size_t bytes) {
  const auto& characters = NameCharacters();
  std::string name;
  for (std::size_t i = static_cast<std::size_t>(Uniform(0, static_cast<int>(characters.size())));;
       ++i) {
    const std::string& c = characters[i % characters.size()];
    if (name.size() + c.size() > bytes) break;
    name += c;
  }
  name.append(bytes - name.size(), 'x');
  return name;
}

std::string InvalidName() {
  if (Uniform(0, 2) == 0) return "";
  return NameOfBytes(static_cast<std::size_t>(Uniform(101, 131)));
}

std::uint32_t CaseSeed() { return static_cast<std::uint32_t>(Uniform(1, 1 << 16)); }
}  // namespace

// ---- Display --------------------------------------------------------------

// A quoted, escaped string; long ones are cut in the middle (on character
// boundaries) and their length in bytes is given.
std::string Quote(const std::string& text) {
  auto escape = [](const std::string& part) {
    std::string out;
    for (char c : part) {
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\n':
          out += "\\n";
          break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            absl::StrAppend(&out, "\\x", absl::Hex(static_cast<unsigned char>(c), absl::kZeroPad2));
          } else {
            out += c;
          }
      }
    }
    return out;
  };
  constexpr std::size_t kShown = 40;
  if (text.size() <= kShown) return absl::StrCat("\"", escape(text), "\"");
  auto continuation = [&](std::size_t i) {
    return i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80;
  };
  std::size_t head = 18;
  while (head > 0 && continuation(head)) --head;
  std::size_t tail = text.size() - 16;
  while (tail < text.size() && continuation(tail)) ++tail;
  return absl::StrCat("\"", escape(text.substr(0, head)), "\xE2\x80\xA6", escape(text.substr(tail)),
                      "\" (", text.size(), " bytes)");
}

std::string ShowBatch(const std::vector<RequestSpec>& requests, const std::string& tag) {
  std::vector<std::string> parts;
  for (const RequestSpec& request : requests) {
    parts.push_back(absl::StrCat("{name:", Quote(request.name),
                                 ", email:", Quote(RenderEmail(request.email, tag)), "}"));
  }
  return absl::StrCat("[", absl::StrJoin(parts, ", "), "]");
}

std::string ShowUser(const v1::User& user) {
  return absl::StrCat("{id:", user.id(), ", name:", Quote(user.name()),
                      ", email:", Quote(user.email()), "}");
}

// ---- Generators -----------------------------------------------------------

// A uniform pick in [lo, hi) that shrinks towards lo. rapidcheck scales
// inRange with the test size; the size here only bounds sequence length, so
// values inside a command are drawn at full size.
int Uniform(int lo, int hi) { return *rc::gen::resize(100, rc::gen::inRange(lo, hi)); }

std::string ValidName() {
  if (Uniform(0, 8) == 7) return NameOfBytes(kMaxNameBytes);  // the limit
  const auto& characters = NameCharacters();
  const int length = Uniform(1, 13);
  std::string name;
  for (int i = 0; i < length; ++i) {
    name += characters[static_cast<std::size_t>(Uniform(0, static_cast<int>(characters.size())))];
  }
  return name;
}

RequestDraw DrawRequest() {
  RequestDraw draw;
  draw.kind = PickWeighted<RequestKind>({{8, RequestKind::kFresh},
                                         {2, RequestKind::kBadName},
                                         {2, RequestKind::kBadEmail},
                                         {3, RequestKind::kDuplicateStored},
                                         {1, RequestKind::kBadNameDuplicate},
                                         {2, RequestKind::kDuplicateInBatch},
                                         {3, RequestKind::kReuseUnstored}});
  const bool bad_name =
      draw.kind == RequestKind::kBadName || draw.kind == RequestKind::kBadNameDuplicate;
  draw.name = bad_name ? InvalidName() : ValidName();
  if (draw.kind == RequestKind::kBadEmail) {
    draw.shape = static_cast<EmailShape>(Uniform(1, kEmailShapes));
  }
  draw.pick = Uniform(0, 1 << 16);
  if (draw.kind == RequestKind::kDuplicateStored || draw.kind == RequestKind::kBadNameDuplicate ||
      draw.kind == RequestKind::kDuplicateInBatch ||
      (draw.kind == RequestKind::kReuseUnstored && Uniform(0, 2) == 1)) {
    draw.case_seed = CaseSeed();
  }
  return draw;
}

RequestSpec Resolve(const Model& model, const std::vector<RequestSpec>& earlier,
                    const RequestDraw& draw, int& next_key) {
  RequestSpec request;
  request.kind = draw.kind;
  request.name = draw.name;
  auto nth = [&draw](std::size_t size) { return static_cast<std::size_t>(draw.pick) % size; };
  switch (draw.kind) {
    case RequestKind::kDuplicateStored:
    case RequestKind::kBadNameDuplicate:
      if (!model.users.empty()) {
        request.email = model.users[nth(model.users.size())].email;
        request.email.case_seed = draw.case_seed;
        return request;
      }
      request.kind =
          draw.kind == RequestKind::kBadNameDuplicate ? RequestKind::kBadName : RequestKind::kFresh;
      break;
    case RequestKind::kDuplicateInBatch:
      if (!earlier.empty()) {
        request.email = earlier[nth(earlier.size())].email;
        request.email.case_seed = draw.case_seed;
        return request;
      }
      request.kind = RequestKind::kFresh;
      break;
    case RequestKind::kReuseUnstored:
      if (!model.unstored.empty()) {
        request.email = model.unstored[nth(model.unstored.size())];
        request.email.case_seed = draw.case_seed;
        return request;
      }
      request.kind = RequestKind::kFresh;
      break;
    case RequestKind::kFresh:
    case RequestKind::kBadName:
    case RequestKind::kBadEmail:
      break;
  }
  request.email = {next_key++, draw.shape, 0};
  return request;
}

// Adds the valid emails of a call that stored nothing to model.unstored.
void RememberUnstored(Model& model, const std::vector<RequestSpec>& requests) {
  for (const RequestSpec& request : requests) {
    if (request.email.shape != EmailShape::kValid) continue;
    const int key = request.email.key;
    if (model.FindUser(key) != nullptr) continue;
    const bool known = std::any_of(model.unstored.begin(), model.unstored.end(),
                                   [key](const EmailSpec& e) { return e.key == key; });
    if (!known) model.unstored.push_back(request.email);
  }
}

}  // namespace course::harness::model_detail
