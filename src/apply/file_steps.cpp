#include <fmt/format.h>

#include "apply/host_files.h"
#include "apply/steps.h"
#include "render/layout.h"

namespace zerospof::apply {

std::vector<transport::FileSpec> host_files(const render::Bundle& bundle, const std::string& host) {
  std::vector<transport::FileSpec> files;
  for (const auto& file : bundle.files) {
    if (file.host == host) files.push_back({file.path, file.content, file.mode});
  }
  return files;
}

util::Result<std::string> add_script_step(StepGraph& graph, ScriptStep step) {
  std::string id = step.id;
  ZEROSPOF_RETURN_IF_ERROR(graph.add(Step{
      .id = step.id,
      .host = step.host,
      .summary = step.summary,
      .deps = std::move(step.deps),
      .check = [host = step.host,
                probe = step.probe](transport::Transport& t) -> util::Result<bool> {
        ZEROSPOF_ASSIGN_OR_RETURN(auto result, t.run(host, {.script = probe}));
        return result.succeeded();
      },
      .run = [host = step.host, action = step.action,
              timeout = step.timeout](transport::Transport& t) -> util::Status {
        ZEROSPOF_ASSIGN_OR_RETURN(
            auto out, transport::run_checked(t, host, {.script = action, .timeout = timeout}));
        (void)out;
        return {};
      },
  }));
  return id;
}

util::Result<std::string> add_preparation_step(StepGraph& graph, const std::string& host) {
  return add_script_step(
      graph, {.id = "prepare@" + host,
              .host = host,
              .summary = fmt::format("create {}", kAppliedDir),
              .probe = fmt::format("test -d {} -a -d {}", kAppliedDir, render::layout::kBinDir),
              .action = fmt::format("mkdir -p -m 0700 {} && mkdir -p {}", kAppliedDir,
                                    render::layout::kBinDir)});
}

util::Result<std::string> add_files_step(StepGraph& graph, const std::string& phase,
                                         const std::string& host,
                                         std::vector<transport::FileSpec> files, Ids deps) {
  std::string id = fmt::format("{}@{}", phase, host);
  auto shared = std::make_shared<const std::vector<transport::FileSpec>>(std::move(files));
  ZEROSPOF_RETURN_IF_ERROR(graph.add(Step{
      .id = id,
      .host = host,
      .summary = fmt::format("write {} {} files", shared->size(), phase),
      .deps = std::move(deps),
      .check = [host, shared](transport::Transport& t) -> util::Result<bool> {
        ZEROSPOF_ASSIGN_OR_RETURN(auto differing, files_to_write(t, host, *shared));
        return differing.empty();
      },
      // Writes every file, not only those check() found different: run() only acts (under
      // --dry-run it reaches a recorder that cannot answer reads), and rewriting an identical
      // file atomically changes nothing a service sees.
      .run = [host, shared](transport::Transport& t) -> util::Status {
        for (const auto& file : *shared) ZEROSPOF_RETURN_IF_ERROR(t.put_file(host, file));
        return {};
      },
  }));
  return id;
}

}  // namespace zerospof::apply
