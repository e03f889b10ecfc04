// The runner of the model-based property (model.h): rapidcheck's
// parameters, one run, and its report.
#include "tests/model/model.h"

#include <rapidcheck.h>
#include <rapidcheck/detail/Configuration.h>
#include <rapidcheck/detail/TestListenerAdapter.h>
#include <rapidcheck/state.h>

#include <cstdlib>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "tests/model/model_parts.h"

namespace course::harness {
namespace {

using model_detail::CommandPtr;
using model_detail::ModelSut;
using model_detail::RunState;

// The id under which rapidcheck files this property's reproduce data.
constexpr char kPropertyId[] = "course.model.users";

rc::Gen<CommandPtr> NextCommand(const Model& model) {
  return rc::gen::weightedOneOf<CommandPtr>({
      {5, model_detail::CreateBatchCommand(model)},
      {1, model_detail::CancelledBatchCommand(model)},
      {2, model_detail::GetUserCommand(model)},
      {2, model_detail::ListUsersCommand(model)},
  });
}

std::string Base36(std::uint64_t value) {
  static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string text;
  do {
    text.insert(text.begin(), kDigits[value % 36]);
    value /= 36;
  } while (value != 0);
  return text;
}

std::uint64_t ClockMicros() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

std::string Tally(const std::map<std::string, int>& tally) {
  std::vector<std::string> parts;
  for (const auto& [outcome, count] : tally) parts.push_back(absl::StrCat(outcome, " ", count));
  return absl::StrJoin(parts, ", ");
}

// rapidcheck's parameters and the case to replay: from options.rc_params,
// else from RC_PARAMS when honoured, else from the options. False (with the
// report said in `bad`) when rc_params cannot be read.
bool ReadParams(const ModelOptions& options, rc::detail::TestParams* params,
                std::unordered_map<std::string, rc::detail::Reproduce>* reproduce,
                ModelRunResult* bad) {
  const char* env = std::getenv("RC_PARAMS");
  if (!options.rc_params.empty()) {
    try {
      const rc::detail::Configuration config = rc::detail::configFromString(options.rc_params);
      *params = config.testParams;
      *reproduce = config.reproduce;
    } catch (const rc::detail::ConfigurationException& e) {
      bad->report =
          absl::StrCat("cannot read rc_params \"", options.rc_params, "\": ", e.what(), "\n");
      return false;
    }
  } else if (options.honour_rc_params && env != nullptr && *env != '\0') {
    const rc::detail::Configuration& config = rc::detail::configuration();
    *params = config.testParams;
    *reproduce = config.reproduce;
  } else {
    params->seed = options.seed != 0 ? options.seed : ClockMicros();
    params->maxSuccess = options.sequences;
    params->maxSize = options.max_size;
  }
  return true;
}

// The report of a failed run: the shrunk call sequence, the last call and
// the lines that replay it.
void ReportFailure(const rc::detail::FailureResult& failure, const rc::detail::TestParams& params,
                   const std::string& rerun, ModelRunResult* result) {
  result->sequences_passed = failure.numSuccess;
  rc::detail::Configuration replay;
  replay.testParams = params;
  replay.reproduce[kPropertyId] = failure.reproduce;
  result->rc_params = rc::detail::configToMinimalString(replay);
  std::string calls;
  int n = 0;
  for (const auto& [type, value] : failure.counterExample) {
    for (absl::string_view line : absl::StrSplit(value, '\n', absl::SkipEmpty())) {
      absl::StrAppend(&calls, "  ", ++n, ". ", line, "\n");
    }
  }
  result->report =
      absl::StrCat("The server disagreed with the model after ", failure.numSuccess,
                   " passing call sequences. Shortest failing sequence found (after ",
                   failure.reproduce.shrinkPath.size(),
                   " shrinks); $T is a tag unique to "
                   "each run of it, id(mK) the id the server gave the user with email mK.$T:\n",
                   calls, "\nThe last call:\n  ", failure.description,
                   "\n\nReplay this sequence: ", "RC_PARAMS=\"", result->rc_params,
                   "\"\nRerun the whole search: ", rerun, "\n");
}

}  // namespace

ModelRunResult RunModelProperty(Target& target, const ModelOptions& options) {
  RunState run;
  run.stamp = Base36(ClockMicros()) + Base36(std::random_device()() % 1296);
  auto stub = v1::UserService::NewStub(target.Channel());
  const auto property = [&] {
    ModelSut sut(target, *stub, run, options.rpc_deadline);
    rc::state::check(Model{}, sut, &NextCommand);
  };

  rc::detail::TestParams params;
  std::unordered_map<std::string, rc::detail::Reproduce> reproduce;
  ModelRunResult result;
  if (!ReadParams(options, &params, &reproduce, &result)) return result;
  rc::detail::TestMetadata metadata;
  metadata.id = kPropertyId;
  metadata.description = "CreateUsers, GetUser and ListUsers agree with the model";
  rc::detail::TestListenerAdapter quiet;
  const rc::detail::TestResult outcome =
      rc::detail::checkTestable(property, metadata, params, quiet, reproduce);

  result.seed = params.seed;
  result.tally = run.tally;
  const std::string rerun =
      absl::StrCat("RC_PARAMS=\"seed=", params.seed, " max_success=", params.maxSuccess,
                   " max_size=", params.maxSize, "\"");
  rc::detail::SuccessResult success;
  rc::detail::FailureResult failure;
  rc::detail::GaveUpResult gave_up;
  rc::detail::Error error;
  if (outcome.match(success)) {
    result.ok = true;
    result.sequences_passed = success.numSuccess;
    result.report = absl::StrCat(success.numSuccess, " call sequences agreed with the model (seed ",
                                 params.seed, "; rerun with ", rerun,
                                 ").\nCalls by expected outcome: ", Tally(run.tally), "\n");
  } else if (outcome.match(failure)) {
    ReportFailure(failure, params, rerun, &result);
  } else if (outcome.match(gave_up)) {
    result.report = absl::StrCat("rapidcheck gave up after ", gave_up.numSuccess,
                                 " sequences: ", gave_up.description, "\n");
  } else if (outcome.match(error)) {
    result.report =
        reproduce.empty()
            ? absl::StrCat("rapidcheck could not run the property: ", error.description, "\n")
            : absl::StrCat("The replayed sequence (reproduce=...) did not fail on ",
                           target.Describe(), " (rapidcheck: ", error.description,
                           "). Leave out reproduce= to search again.\n");
  }
  return result;
}

}  // namespace course::harness
