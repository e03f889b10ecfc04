// Server reflection, as tools that work from it (grpcurl, buf curl, grpcui,
// Postman) need it: every listed service can be described, every file's
// imports resolve, and the files build into a descriptor pool. Cites gRPC's
// doc/server-reflection.md and grpc/reflection/v1/reflection.proto.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "protocol/catalog.h"
#include "protocol/kit.h"

namespace course::harness::protocol {
namespace {

void SkipWhenDescriptorsGiven(CheckContext& ctx) {
  if (!ctx.service().descriptor_set.empty()) {
    throw CheckSkipped(absl::StrCat("the descriptors come from ", ctx.service().descriptor_source,
                                    "; reflection is not checked"));
  }
}

void ListsServices(CheckContext& ctx) {
  SkipWhenDescriptorsGiven(ctx);
  const Catalog catalog = LearnByReflection(ctx, Stage::kList);
  ctx.Expect(!catalog.services.empty(), "reflection lists no service at all",
             "the services the server serves, reflection itself included");
  ctx.Note(absl::StrCat(catalog.source, ": ", absl::StrJoin(catalog.services, ", ")));
}

void DescribesEveryService(CheckContext& ctx) {
  SkipWhenDescriptorsGiven(ctx);
  LearnByReflection(ctx, Stage::kDescribe);
}

void ImportsResolve(CheckContext& ctx) {
  SkipWhenDescriptorsGiven(ctx);
  const Catalog catalog = LearnByReflection(ctx, Stage::kImports);
  ctx.Note(absl::StrCat(catalog.files.size(), " files"));
}

void DescriptorsBuild(CheckContext& ctx) {
  SkipWhenDescriptorsGiven(ctx);
  const Catalog catalog = LearnByReflection(ctx, Stage::kBuild);
  int methods = 0;
  for (const std::string& name : catalog.services) {
    const auto* service = catalog.pool->FindServiceByName(name);
    methods += service->method_count();
  }
  ctx.Note(absl::StrCat(catalog.services.size(), " services, ", methods, " methods"));
}

void ServesV1(CheckContext& ctx) {
  SkipWhenDescriptorsGiven(ctx);
  const Catalog catalog = LearnByReflection(ctx, Stage::kList);
  ctx.Expect(catalog.source == "reflection v1",
             absl::StrCat("only ", catalog.source, " answered; v1 is UNIMPLEMENTED"),
             "grpc.reflection.v1.ServerReflection (v1alpha is deprecated)",
             "known difference: gRPC C++ 1.51 serves v1alpha only; newer releases serve both");
}

}  // namespace

void AddReflectionChecks(std::vector<CheckDef>& checks) {
  Add(checks, "protocol.reflection.lists-services", "server-reflection.md",
      "reflection (v1, else v1alpha) lists the server's services", ListsServices);
  Add(checks, "protocol.reflection.describes-every-service", "server-reflection.md",
      "file_containing_symbol describes every service reflection lists", DescribesEveryService);
  Add(checks, "protocol.reflection.imports-resolve", "server-reflection.md",
      "file_by_filename finds every file those files import", ImportsResolve);
  Add(checks, "protocol.reflection.descriptors-build", "server-reflection.md",
      "the files reflection sends build into a descriptor pool declaring every listed service",
      DescriptorsBuild);
  Add(checks, "protocol.reflection.serves-v1", "server-reflection.md",
      "reflection is served as grpc.reflection.v1 (not only the deprecated v1alpha)", ServesV1,
      Level::kInfo);
}

}  // namespace course::harness::protocol
