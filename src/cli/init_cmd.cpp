// `zerospof init [FILE] [--force]`: writes the built-in plan, never over an existing file
// unless asked, and atomically (a crash leaves the old file or the new one).
#include <memory>

#include "cli/commands.h"
#include "cli/output.h"
#include "plan/plan.h"
#include "util/files.h"

namespace zerospof::cli {

void register_init(CLI::App& app, int& exit_code) {
  struct Flags {
    std::string path = "zerospof.yaml";
    bool force = false;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* command = app.add_subcommand("init", "Write the built-in 5-node plan to a file");
  command->add_option("file", flags->path, "Where to write the plan (default: zerospof.yaml)");
  command->add_flag("--force", flags->force, "Replace the file if it exists");
  command->callback([flags, &exit_code] {
    auto written =
        util::write_file_atomic(flags->path, plan::builtin_plan_yaml(), {0644, flags->force});
    if (!written) {
      exit_code = report_error(written.error());
      return;
    }
    print("wrote " + flags->path + ": the 5-node plan of cluster-plan.md; next: zerospof check " +
          flags->path + "\n");
    exit_code = 0;
  });
}

}  // namespace zerospof::cli
